import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config.js';
import type { FuzzyBackend } from '../fuzzy/fuzzy-backend.js';
import { FUZZY_BACKEND } from '../fuzzy/fuzzy-backend.js';
import { SqliteBackend } from '../fuzzy/sqlite/sqlite-backend.js';
import { CONFIG } from '../runtime.js';
import { ADMIN_ENTITIES, adminDataSourceOptions } from './data-source-options.js';
import { FUZZY_READ_DB, type FuzzyReadAccess, HashRepository } from './hash.repository.js';

/**
 * Data access for the admin API: TypeORM for fuzzyd's own tables (always in the SQLite file FUZZYD_DB, whatever the
 * fuzzy backend), raw prepared statements (HashRepository) for rspamd's tables when the store is that file.
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
  providers: [
    {
      provide: FUZZY_READ_DB,
      inject: [FUZZY_BACKEND],
      useFactory: (backend: FuzzyBackend): FuzzyReadAccess | null =>
        backend instanceof SqliteBackend
          ? { db: backend.readDb, settle: () => backend.settle(), countByFlag: () => backend.countByFlag() }
          : null,
    },
    HashRepository,
  ],
  exports: [TypeOrmModule, HashRepository],
})
export class DatabaseModule {}
