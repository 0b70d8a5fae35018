import type { DataSourceOptions } from 'typeorm';
import { AccessSettings1796342400000 } from './access-settings.migration.js';
import { AdminSchema1767225600000 } from './admin-schema.migration.js';
import { AccessSettingEntity } from './entities/access-setting.entity.js';
import { ApiTokenEntity } from './entities/api-token.entity.js';
import { FlagEntity } from './entities/flag.entity.js';
import { NetworkEntity } from './entities/network.entity.js';

export const ADMIN_ENTITIES = [FlagEntity, ApiTokenEntity, NetworkEntity, AccessSettingEntity];

/**
 * TypeORM on the same SQLite file as the store (its own better-sqlite3 connection, WAL like the others). Schema
 * changes only through our migrations, recorded in `fuzzyd_migrations`, so rspamd's tables are never touched.
 */
export function adminDataSourceOptions(dbPath: string): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: dbPath,
    enableWAL: true,
    timeout: 5000,
    entities: ADMIN_ENTITIES,
    migrations: [AdminSchema1767225600000, AccessSettings1796342400000],
    migrationsTableName: 'fuzzyd_migrations',
    migrationsTransactionMode: 'each',
    migrationsRun: true,
    synchronize: false,
    dropSchema: false,
    logging: false,
  };
}
