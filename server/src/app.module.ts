import { type DynamicModule, Module } from '@nestjs/common';
import { HealthController } from './health/health.controller.js';
import { ACCESS_POLICY, CONFIG, LOGGER, RUNTIME, type Runtime, UDP_SERVER, UDP_STATS } from './runtime.js';
import { FUZZY_BACKEND } from './fuzzy/fuzzy-backend.js';

/** The HTTP side. Nest only wires singletons at start-up; the UDP plane never passes through it. */
@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    const providers = [
      { provide: RUNTIME, useValue: runtime },
      { provide: CONFIG, useValue: runtime.config },
      { provide: LOGGER, useValue: runtime.logger },
      { provide: FUZZY_BACKEND, useValue: runtime.backend },
      { provide: ACCESS_POLICY, useValue: runtime.policy },
      { provide: UDP_STATS, useValue: runtime.stats },
      { provide: UDP_SERVER, useValue: runtime.udp },
    ];
    return {
      module: AppModule,
      global: true,
      controllers: [HealthController],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
