import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config.js';
import { CONFIG } from '../runtime.js';
import { ADMIN_ENTITIES, adminDataSourceOptions } from './data-source-options.js';

/**
 * TypeORM for fuzzyd's admin tables, always in the SQLite file FUZZYD_DB whatever the fuzzy backend. rspamd's tables
 * are read through the backend's catalogue (HASH_CATALOGUE), never through TypeORM.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [CONFIG],
      // One attempt: a file that cannot be opened is a configuration error, not something to wait out.
      useFactory: (config: AppConfig) => ({ ...adminDataSourceOptions(config.dbPath), retryAttempts: 1 }),
    }),
    TypeOrmModule.forFeature(ADMIN_ENTITIES),
  ],
  exports: [TypeOrmModule],
})
export class DatabaseModule {}
