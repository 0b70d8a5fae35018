import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Durability } from '../../config/app-config.js';

/**
 * rspamd 3.4's fuzzy.db layout (spec/fuzzy-storage.md §2.3), so fuzzyd and rspamd's fuzzy worker can open each
 * other's files: digests bound as TEXT bytes, shingle values as signed 64-bit, the (value, number) pair unique, and
 * shingle rows deleted with their digest by cascade.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS digests(
  id INTEGER PRIMARY KEY,
  flag INTEGER NOT NULL,
  digest TEXT NOT NULL,
  value INTEGER,
  time INTEGER);
CREATE TABLE IF NOT EXISTS shingles(
  value INTEGER NOT NULL,
  number INTEGER NOT NULL,
  digest_id INTEGER REFERENCES digests(id) ON DELETE CASCADE ON UPDATE CASCADE);
CREATE TABLE IF NOT EXISTS sources(
  name TEXT UNIQUE,
  version INTEGER,
  last INTEGER);
CREATE UNIQUE INDEX IF NOT EXISTS d ON digests(digest);
CREATE INDEX IF NOT EXISTS t ON digests(time);
CREATE INDEX IF NOT EXISTS dgst_id ON shingles(digest_id);
CREATE UNIQUE INDEX IF NOT EXISTS s ON shingles(value, number);
`;

/**
 * fuzzyd's own objects in the same file, all named fuzzyd_* so rspamd never minds them (fuzzyd's admin tables are
 * TypeORM's, database/admin-schema.migration.ts):
 * - fuzzyd_write_journal: acknowledged update batches not yet applied to rspamd's tables (write-journal.ts).
 * - fuzzyd_pending_shingles: shingle rows of new hashes waiting to move into `shingles` (pending-shingles.ts).
 * - fuzzyd_extra_flags: slots 1..7 of multi-flag hashes; rspamd's `digests` holds the primary (extra-flags.ts). The
 *   foreign key makes a row go with its digest even when rspamd's worker deletes or expires it.
 * - fuzzyd_shingle_blocks: the 32 shingles a hash was written with, kept whole. rspamd's `shingles` keeps a position
 *   only for the latest hash with that value there, so a hash's lost positions, and so which later near-duplicates
 *   took them, cannot be read back from it; explain (shingle-owners.ts) needs them. 256 bytes per shingled hash,
 *   written by the background move with the hash's shingle rows (never in an acknowledging commit), in digest-id order.
 * - fuzzyd_digests_flag, fuzzyd_extra_flags_flag: the admin API's flag-filtered pages in digest order
 *   (sqlite-hash-queries.ts, extra-flag-queries.ts). The first is an index on rspamd's own table: rspamd ignores it,
 *   and on an existing large file building it takes a while once, here on the writer thread before fuzzyd serves.
 * - fuzzyd_digest_created: when fuzzyd first wrote each digest (unix seconds). rspamd's `time` is the last write
 *   (every WRITE refreshes it, expiry counts from it); the `delay` option counts from the first, as rspamd's Redis
 *   `C` field does (docs/spec/access-controls.md §5). Written in the commit that adds the digest, or, for a row
 *   rspamd's worker wrote, from its `time` the first time fuzzyd rewrites it; a row without one takes its `time`.
 */
const FUZZYD_SCHEMA = `
CREATE TABLE IF NOT EXISTS fuzzyd_write_journal(
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  count INTEGER NOT NULL,
  ops BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fuzzyd_pending_shingles(
  seq INTEGER PRIMARY KEY,
  digest_id INTEGER NOT NULL,
  shingles BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS fuzzyd_pending_shingles_digest ON fuzzyd_pending_shingles(digest_id);
CREATE TABLE IF NOT EXISTS fuzzyd_extra_flags(
  digest_id INTEGER NOT NULL REFERENCES digests(id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  flag INTEGER NOT NULL,
  value INTEGER NOT NULL,
  PRIMARY KEY (digest_id, slot)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS fuzzyd_extra_flags_flag ON fuzzyd_extra_flags(flag, digest_id);
CREATE INDEX IF NOT EXISTS fuzzyd_digests_flag ON digests(flag, digest);
CREATE TABLE IF NOT EXISTS fuzzyd_shingle_blocks(
  digest_id INTEGER PRIMARY KEY REFERENCES digests(id) ON DELETE CASCADE,
  shingles BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS fuzzyd_digest_created(
  digest_id INTEGER PRIMARY KEY REFERENCES digests(id) ON DELETE CASCADE,
  created INTEGER NOT NULL);
`;

/** Creates fuzzyd's own objects (idempotent). The writer does, before anything else reads the file. */
export function createFuzzydSchema(db: Database.Database): void {
  db.exec(FUZZYD_SCHEMA);
}

export interface OpenOptions {
  durability: Durability;
  readonly?: boolean;
  /** SQLite's page cache of this connection, in MB (default 64). */
  cacheMb?: number;
}

export function openFuzzyDatabase(path: string, options: OpenOptions): Database.Database {
  if (!options.readonly) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  db.pragma('busy_timeout = 5000');
  if (!options.readonly) {
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
  }
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  // Shingle inserts land at random places in the unique (value, number) index, so with SQLite's default 2 MB cache
  // nearly every one of them misses it. rspamd asks for 262144 pages (1 GB, spec/fuzzy-storage.md §2.2); fuzzyd's
  // writer measured the same with 64 MB as with 256 MB (20k shingled writes into a 1M-hash store in 27-31 s either
  // way: the pages come from the OS's cache), and a 10 s WRITE flood peaked 60-80 MB lower.
  db.pragma(`cache_size = -${(options.cacheMb ?? 64) * 1024}`);
  db.pragma('mmap_size = 268435456');
  db.pragma('temp_store = MEMORY');
  // Fewer, larger checkpoints: each one writes back pages scattered over the file and, with durability=full, fsyncs.
  db.pragma('wal_autocheckpoint = 8192');
  return db;
}
