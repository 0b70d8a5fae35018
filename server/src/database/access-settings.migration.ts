import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The admin API's access settings (access/settings), one row per setting it overrides. Only ever a fuzzyd_* table. */
export class AccessSettings1796342400000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS fuzzyd_access_settings (
      name TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_at INTEGER NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS fuzzyd_access_settings');
  }
}
