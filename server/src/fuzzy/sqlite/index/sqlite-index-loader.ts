import type Database from 'better-sqlite3';
import { DIGEST_BYTES, SHINGLE_COUNT } from '../../../../../shared/protocol/constants.js';
import type { FuzzyIndex } from '../../memory/fuzzy-index.js';
import { loadExtraFlags } from '../extra-flags.js';

export interface LoadStats {
  hashes: number;
  shingles: number;
  skipped: number;
  ms: number;
}

/**
 * Rebuilds the in-memory index from the file at start-up. Shingle values are split into u32 halves by SQLite itself:
 * turning 32 signed 64-bit values per hash into BigInts in JavaScript would dominate the load time.
 */
const CHUNK_ROWS = 50_000;

/** Upper bounds of the table sizes, from the highest row ids (instant, unlike count(*) on millions of rows). */
export function expectedIndexSize(db: Database.Database): { hashes: number; shingledHashes: number } {
  const maxId = (table: string): number =>
    Number((db.prepare(`SELECT max(rowid) AS n FROM ${table}`).get() as { n: number | null }).n ?? 0);
  return { hashes: maxId('digests'), shingledHashes: Math.ceil(maxId('shingles') / SHINGLE_COUNT) };
}

/**
 * Reads a table in rowid order, a chunk at a time: `.all()` on a bounded range is several times faster per row than
 * better-sqlite3's row iterator, and memory stays bounded.
 */
function* chunks<T>(db: Database.Database, sql: string): Generator<T[]> {
  const stmt = db.prepare(`${sql} WHERE rowid > ? ORDER BY rowid LIMIT ${CHUNK_ROWS}`).raw();
  let after = -Infinity;
  for (;;) {
    const rows = stmt.all(after) as (T & unknown[])[];
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1][0] as number;
  }
}

/**
 * Digest row id → index slot while loading. Row ids are dense in practice (rspamd and fuzzyd only append), so a typed
 * array of max(rowid) entries (4 MB at a million) replaces a Map that took ~80 MB and much GC work; a file with far
 * sparser ids gets the Map.
 */
class SlotsByRowId {
  private readonly dense: Int32Array | null;
  private readonly sparse = new Map<number, number>();
  size = 0;
  constructor(maxRowId: number) {
    this.dense = maxRowId <= 64_000_000 ? new Int32Array(maxRowId + 1).fill(-1) : null;
  }
  set(rowId: number, slot: number): void {
    if (this.dense && rowId >= 0 && rowId < this.dense.length) this.dense[rowId] = slot;
    else this.sparse.set(rowId, slot);
    this.size++;
  }
  get(rowId: number): number | undefined {
    if (this.dense && rowId >= 0 && rowId < this.dense.length) return this.dense[rowId] >= 0 ? this.dense[rowId] : undefined;
    return this.sparse.get(rowId);
  }
}

/**
 * Each digest's first write (fuzzyd_digest_created, by primary key), NULL where there is no record; a file fuzzyd
 * never opened for writing has no such table.
 */
function createdColumn(db: Database.Database): string {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fuzzyd_digest_created'").get();
  return exists ? '(SELECT created FROM fuzzyd_digest_created WHERE digest_id = digests.id)' : 'NULL';
}

/**
 * Loads through `db`, which should be a connection of its own with a small page cache and no memory map: the load
 * reads every page once, and a large cache filled by it would stay allocated for the life of the process.
 */
export function loadIndexFromSqlite(db: Database.Database, index: FuzzyIndex): LoadStats {
  const started = performance.now();
  const slotByRowId = new SlotsByRowId(expectedIndexSize(db).hashes);
  let skipped = 0;
  const extraFlags = loadExtraFlags(db);
  type DigestRow = [number, number, Buffer, number | null, number | null, number | null];
  for (const rows of chunks<DigestRow>(db, `SELECT id, flag, CAST(digest AS BLOB), value, time, ${createdColumn(db)} FROM digests`)) {
    for (const [id, flag, digest, value, time, created] of rows) {
      // Rows written by something other than a fuzzy client can hold a digest of another length; they cannot match.
      if (!digest || digest.length !== DIGEST_BYTES) {
        skipped++;
        continue;
      }
      const hash = { digest, flag, value: value ?? 0, time: time ?? 0, extraFlags: extraFlags.get(id) ?? [] };
      // No record: rspamd's worker wrote the row, and its `time` is the first write fuzzyd knows of.
      slotByRowId.set(id, index.upsert(hash, null, created ?? hash.time));
    }
  }
  let shingles = 0;
  type ShingleRow = [number, number, number, number, number];
  const sql = 'SELECT rowid, number, value & 4294967295, (value >> 32) & 4294967295, digest_id FROM shingles';
  for (const rows of chunks<ShingleRow>(db, sql)) {
    for (const [, position, lo, hi, rowId] of rows) {
      const slot = slotByRowId.get(rowId);
      if (slot === undefined || position < 0 || position >= SHINGLE_COUNT) continue;
      index.setShingleOwner(position, lo, hi, slot);
      shingles++;
    }
  }
  return { hashes: slotByRowId.size, shingles, skipped, ms: Math.round(performance.now() - started) };
}
