import { Module } from '@nestjs/common';
import type { Logger } from '../common/logger.js';
import type { AppConfig } from '../config/app-config.js';
import { CONFIG, LOGGER } from '../runtime.js';
import { NeuralController } from './api/neural.controller.js';
import { NeuralErrorInterceptor } from './api/neural-error.interceptor.js';
import { NeuralSetsService } from './api/neural-sets.service.js';
import { NeuralAutotrainService } from './jobs/neural-autotrain.service.js';
import { NeuralTrainingService } from './jobs/neural-training.service.js';
import { NEURAL_CONNECTION, NeuralConnection } from './neural-connection.js';
import { autotrainEnabled } from './neural-options.js';
import { redactRedisUrl } from './redis/redis-unavailable.error.js';

/**
 * rspamd's neural plugin data in Redis: the REST routes under /api/v1/neural, trainings and the automatic trigger.
 * With FUZZYD_REDIS_URL set empty nothing is built (no client, no timer) and every route answers 503; by default the
 * client tries rspamd's usual address, 127.0.0.1:6379, and the routes answer 503 "not reachable" while nothing is there. The neural settings
 * come with the application config (CONFIG), checked at start whether or not Redis is set.
 */
@Module({
  controllers: [NeuralController],
  providers: [
    {
      provide: NEURAL_CONNECTION,
      inject: [CONFIG, LOGGER],
      useFactory: (config: AppConfig, logger: Logger): NeuralConnection | null => {
        if (!config.redis) return null;
        const log = logger.child({ component: 'neural' });
        const autotrain = autotrainEnabled(config.neural, config.redis.configured);
        log.info({ rules: Object.keys(config.neural.config.rules), autotrain, redis: redactRedisUrl(config.redis.url) }, 'neural: enabled');
        return new NeuralConnection(config.redis, config.neural, log);
      },
    },
    NeuralTrainingService,
    NeuralAutotrainService,
    NeuralSetsService,
    NeuralErrorInterceptor,
  ],
  exports: [NeuralTrainingService, NEURAL_CONNECTION],
})
export class NeuralModule {}
