import type Database from 'better-sqlite3';
import { DIGEST_BYTES, SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import type { FuzzyIndex } from '../memory/fuzzy-index.js';

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
export function loadIndexFromSqlite(db: Database.Database, index: FuzzyIndex): LoadStats {
  const started = performance.now();
  const slotByRowId = new Map<number, number>();
  let skipped = 0;
  const digests = db
    .prepare('SELECT id, flag, CAST(digest AS BLOB) AS digest, value, time FROM digests')
    .raw()
    .iterate() as IterableIterator<[number, number, Buffer, number | null, number | null]>;
  for (const [id, flag, digest, value, time] of digests) {
    // Rows written by something other than a fuzzy client can hold a digest of another length; they cannot match.
    if (!digest || digest.length !== DIGEST_BYTES) {
      skipped++;
      continue;
    }
    slotByRowId.set(id, index.upsert({ digest, flag, value: value ?? 0, time: time ?? 0 }, null));
  }
  let shingles = 0;
  const rows = db
    .prepare('SELECT number, value & 4294967295, (value >> 32) & 4294967295, digest_id FROM shingles')
    .raw()
    .iterate() as IterableIterator<[number, number, number, number]>;
  for (const [position, lo, hi, rowId] of rows) {
    const slot = slotByRowId.get(rowId);
    if (slot === undefined || position < 0 || position >= SHINGLE_COUNT) continue;
    index.setShingleOwner(position, lo, hi, slot);
    shingles++;
  }
  return { hashes: slotByRowId.size, shingles, skipped, ms: Math.round(performance.now() - started) };
}
