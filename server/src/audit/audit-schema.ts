import type Database from 'better-sqlite3';

/**
 * The audit trail, in FUZZYD_DB (with the SQLite backend the store's own file, beside rspamd's tables; with Redis the
 * file of the admin tables). Two tables:
 * - fuzzyd_audit_staged: the rows of fuzzy updates, one staged row per group commit (audit-record-codec.ts), appended
 *   by the SQLite writer thread inside the very transaction that commits the updates (sqlite-writer.ts). It has no
 *   index but its rowid, so an append is one sequential row: indexes on digest and actor would be random inserts,
 *   each dirtying a page of its own in every group commit and its fsync, which is what the write journal was built to
 *   avoid (write-journal.ts). A write and its audit row are committed or lost together, and the UDP threads never wait
 *   for either.
 * - fuzzyd_audit: the searchable trail. The writer thread moves staged rows here in the background, when writes
 *   pause (audit-staging.ts); admin changes that are not fuzzy updates (flags, networks, tokens, imports) and the Redis
 *   backend's updates are written here directly (audit-log.ts).
 * Searches read both. Times are unix milliseconds, so a hash's history orders right within a second.
 */
const AUDIT_SCHEMA = `
CREATE TABLE IF NOT EXISTS fuzzyd_audit(
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  via TEXT NOT NULL,
  actor TEXT NOT NULL,
  source TEXT,
  action TEXT NOT NULL,
  outcome TEXT,
  digest BLOB,
  flag INTEGER,
  value INTEGER,
  detail TEXT);
CREATE INDEX IF NOT EXISTS fuzzyd_audit_digest ON fuzzyd_audit(digest, time) WHERE digest IS NOT NULL;
CREATE INDEX IF NOT EXISTS fuzzyd_audit_actor ON fuzzyd_audit(actor, time);
CREATE INDEX IF NOT EXISTS fuzzyd_audit_source ON fuzzyd_audit(source, time) WHERE source IS NOT NULL;
CREATE INDEX IF NOT EXISTS fuzzyd_audit_time ON fuzzyd_audit(time);
CREATE TABLE IF NOT EXISTS fuzzyd_audit_staged(
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  count INTEGER NOT NULL,
  who TEXT NOT NULL,
  records BLOB NOT NULL);
`;

/** The columns of fuzzyd_audit, in order. */
export const AUDIT_COLUMNS = 'time, via, actor, source, action, outcome, digest, flag, value, detail';

/** Idempotent; whoever writes the tables first makes them (the writer thread, or the audit log's connection). */
export function createAuditSchema(db: Database.Database): void {
  db.exec(AUDIT_SCHEMA);
}
