import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { AccessSettingName, AccessSettingValue } from '../../../../shared/api/access-settings.js';
import { accessSettingSpec, fromApiValue } from './access-setting-catalog.js';
import type { RestValue } from './access-settings.js';

/** A row of `fuzzyd_access_settings` (database/entities/access-setting.entity.ts). */
export interface StoredAccessSetting {
  name: string;
  /** The API's JSON as it was sent. */
  value: string;
  updatedAt: number;
}

/**
 * The stored rows as values in force, each read again through its setting's parser; a row this fuzzyd cannot use (an
 * unknown name, a value a newer or older version wrote) is reported and left out, so the configuration's value applies.
 */
export function restValuesOf(rows: readonly StoredAccessSetting[], skipped: (name: string, error: string) => void): Map<AccessSettingName, RestValue> {
  const values = new Map<AccessSettingName, RestValue>();
  for (const row of rows) {
    try {
      const spec = accessSettingSpec(row.name);
      if (!spec) throw new Error('no such setting');
      values.set(spec.name, { value: fromApiValue(spec, JSON.parse(row.value) as Exclude<AccessSettingValue, null>), updatedAt: row.updatedAt });
    } catch (err) {
      skipped(row.name, (err as Error).message);
    }
  }
  return values;
}

/**
 * The rows of `fuzzyd_access_settings` in the admin database, read at start before the UDP sockets open (the Nest
 * side, which owns the table, starts later), so not one datagram is served under values the API replaced. None when
 * the file or the table does not exist yet (a first start: the migration creates it).
 */
export function readStoredAccessSettings(dbPath: string): StoredAccessSetting[] {
  if (!existsSync(dbPath)) return [];
  const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fuzzyd_access_settings'").get();
    if (!table) return [];
    return db.prepare('SELECT name, value, updated_at AS updatedAt FROM fuzzyd_access_settings').all() as StoredAccessSetting[];
  } finally {
    db.close();
  }
}
