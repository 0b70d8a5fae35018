import { type DynamicModule, Module } from '@nestjs/common';
import type { Logger } from '../common/logger.js';
import { LOGGER } from '../runtime.js';
import { NeuralController } from './api/neural.controller.js';
import { NeuralErrorInterceptor } from './api/neural-error.interceptor.js';
import { NeuralSetsService } from './api/neural-sets.service.js';
import { NeuralAutotrainService } from './jobs/neural-autotrain.service.js';
import { NeuralTrainingService } from './jobs/neural-training.service.js';
import { NEURAL_CONNECTION, NeuralConnection } from './neural-connection.js';
import { loadNeuralSettings, type WithNeuralSettings } from './neural-options.js';

/**
 * rspamd's neural plugin data in Redis: the REST routes under /api/v1/neural, trainings and the automatic trigger.
 * Without FUZZYD_REDIS_URL nothing is built (no client, no timer) and every route answers 503; the neural settings
 * (FUZZYD_NEURAL_CONFIG, FUZZYD_NEURAL_AUTOTRAIN, FUZZYD_NEURAL_TRIGGER) are validated at boot only when it is set.
 */
@Module({})
export class NeuralModule {
  static forRoot(config: WithNeuralSettings): DynamicModule {
    return {
      module: NeuralModule,
      controllers: [NeuralController],
      providers: [
        {
          provide: NEURAL_CONNECTION,
          inject: [LOGGER],
          useFactory: (logger: Logger): NeuralConnection | null => {
            if (!config.redisUrl) return null;
            const settings = config.neural ?? loadNeuralSettings(process.env);
            const log = logger.child({ component: 'neural' });
            log.info({ rules: Object.keys(settings.config.rules), autotrain: settings.autotrain }, 'neural: enabled');
            return new NeuralConnection(config.redisUrl, settings, log);
          },
        },
        NeuralTrainingService,
        NeuralAutotrainService,
        NeuralSetsService,
        NeuralErrorInterceptor,
      ],
      exports: [NeuralTrainingService],
    };
  }
}
