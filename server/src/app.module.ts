import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccessModule } from './access/access.module.js';
import { AuthModule } from './auth/auth.module.js';
import { AuditModule } from './audit/audit.module.js';
import { LookupModule } from './lookup/lookup.module.js';
import { ProblemFilter } from './common/problem.filter.js';
import { FlagsModule } from './flags/flags.module.js';
import { FUZZY_BACKEND } from './fuzzy/fuzzy-backend.js';
import { HASH_CATALOGUE } from './fuzzy/hash-catalogue.js';
import { HashesModule } from './hashes/hashes.module.js';
import { HealthModule } from './health/health.module.js';
import { KeysModule } from './keys/api/keys.module.js';
import { RateLimitsModule } from './ratelimit/api/ratelimits.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NeuralModule } from './neural/neural.module.js';
import { ACCESS_POLICY, CONFIG, LOGGER, RUNTIME, type Runtime, UDP_SERVER, UDP_STATS } from './runtime.js';
import { StatsModule } from './stats/stats.module.js';

/** The HTTP side. Nest only wires singletons at start-up; the UDP plane never passes through it. */
@Module({})
export class AppModule {
  static forRoot(runtime: Runtime): DynamicModule {
    const providers = [
      { provide: RUNTIME, useValue: runtime },
      { provide: CONFIG, useValue: runtime.config },
      { provide: LOGGER, useValue: runtime.logger },
      { provide: FUZZY_BACKEND, useValue: runtime.backend },
      // The backend's listing capability itself, or null: the services that need it answer 501 without it.
      { provide: HASH_CATALOGUE, useValue: runtime.backend.catalogue ?? null },
      { provide: ACCESS_POLICY, useValue: runtime.policy },
      { provide: UDP_STATS, useValue: runtime.stats },
      { provide: UDP_SERVER, useValue: runtime.udp },
    ];
    return {
      module: AppModule,
      global: true,
      imports: [
        AuthModule, HashesModule, FlagsModule, AccessModule, KeysModule, RateLimitsModule, StatsModule, MetricsModule, HealthModule,
        NeuralModule, AuditModule, LookupModule,
      ],
      providers: [...providers, { provide: APP_FILTER, useClass: ProblemFilter }],
      exports: providers.map((p) => p.provide),
    };
  }
}
