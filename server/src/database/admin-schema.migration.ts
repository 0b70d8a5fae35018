import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * fuzzyd's own tables, beside rspamd's in the same file. Written by hand (no `synchronize`): TypeORM must never diff
 * or alter rspamd's `digests`, `shingles` and `sources`, and a migration only ever creates `fuzzyd_*` objects.
 * The class name ends in the migration's timestamp, which TypeORM requires.
 */
export class AdminSchema1767225600000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE IF NOT EXISTS fuzzyd_flags (
      flag INTEGER PRIMARY KEY CHECK (flag BETWEEN 0 AND 255),
      name TEXT NOT NULL,
      description TEXT,
      updated_at INTEGER NOT NULL)`);
    // AUTOINCREMENT: a deleted token's id is never handed out again.
    await q.query(`CREATE TABLE IF NOT EXISTS fuzzyd_tokens (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      name TEXT NOT NULL,
      scope TEXT NOT NULL CHECK (scope IN ('read', 'write', 'admin')),
      token_hash TEXT NOT NULL UNIQUE,
      hint TEXT NOT NULL,
      origin TEXT NOT NULL CHECK (origin IN ('env', 'generated', 'api')),
      created_at INTEGER NOT NULL,
      last_used_at INTEGER)`);
    await q.query(`CREATE TABLE IF NOT EXISTS fuzzyd_networks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      list TEXT NOT NULL CHECK (list IN ('allow-update', 'blocked')),
      cidr TEXT NOT NULL,
      comment TEXT,
      created_at INTEGER NOT NULL,
      UNIQUE (list, cidr))`);
    // rspamd's stock fuzzy_check rule maps these flags to FUZZY_DENIED, FUZZY_PROB and FUZZY_WHITE.
    const now = Math.floor(Date.now() / 1000);
    await q.query(
      `INSERT OR IGNORE INTO fuzzyd_flags (flag, name, description, updated_at) VALUES
        (1, 'spam', 'FUZZY_DENIED in rspamd''s default fuzzy_check rule', ?),
        (2, 'probable spam', 'FUZZY_PROB in rspamd''s default fuzzy_check rule', ?),
        (3, 'whitelist', 'FUZZY_WHITE in rspamd''s default fuzzy_check rule', ?)`,
      [now, now, now],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS fuzzyd_networks');
    await q.query('DROP TABLE IF EXISTS fuzzyd_tokens');
    await q.query('DROP TABLE IF EXISTS fuzzyd_flags');
  }
}
