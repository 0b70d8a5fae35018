import type Database from 'better-sqlite3';
import { SHINGLE_COUNT } from '../../../../../shared/protocol/constants.js';

/**
 * Shingle rows waiting to be written into rspamd's `shingles` table. rspamd's layout keeps one row per shingle in a
 * unique (value, number) index: 32 random B-tree inserts per hash, about 300 µs of SQLite work however the writes
 * are batched (rspamd's own worker applies about 2-4k such writes a second). So a WRITE commits its digest row and
 * its 256 shingle bytes here (one append) in the transaction that acknowledges it, and the rows move into
 * `shingles` in the background, oldest first, in the same order rspamd would have applied them. CHECK never waits
 * for this: the in-memory index already has the shingles. fuzzyd drains the queue at start-up and at shutdown, so
 * rspamd opening the file after a clean stop sees everything.
 */
export class PendingShingles {
  private readonly insert: Database.Statement<[number, Buffer]>;
  private readonly forDigest: Database.Statement<[number], { shingles: Buffer }>;
  private readonly dropDigest: Database.Statement<[number]>;
  private readonly oldest: Database.Statement<[number], { seq: number; digest_id: number; shingles: Buffer }>;
  private readonly dropUpTo: Database.Statement<[number]>;
  /** Rows in the table as of the last commit; `delta` is what the running transaction changed (see `settle`). */
  private count: number;
  private delta = 0;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO fuzzyd_pending_shingles(digest_id, shingles) VALUES (?, ?)');
    this.forDigest = db.prepare('SELECT shingles FROM fuzzyd_pending_shingles WHERE digest_id = ?');
    this.dropDigest = db.prepare('DELETE FROM fuzzyd_pending_shingles WHERE digest_id = ?');
    this.oldest = db.prepare('SELECT seq, digest_id, shingles FROM fuzzyd_pending_shingles ORDER BY seq LIMIT ?');
    this.dropUpTo = db.prepare('DELETE FROM fuzzyd_pending_shingles WHERE seq <= ?');
    this.count = (db.prepare('SELECT count(*) AS n FROM fuzzyd_pending_shingles').get() as { n: number }).n;
  }

  get size(): number {
    return this.count + this.delta;
  }

  add(digestId: number, shingles: Buffer): void {
    this.insert.run(digestId, shingles);
    this.delta++;
  }

  /**
   * After the transaction that called add/take/moveOldest: keep its changes to the count, or drop them when it rolled
   * back. A count changed inside transactions that failed (disk full) drifted to millions while the table was empty,
   * and loops waiting for it to reach zero never ended.
   */
  settle(committed: boolean): void {
    if (committed) this.count += this.delta;
    this.delta = 0;
  }

  /** The pending shingles of a digest, left queued. */
  peek(digestId: number): Buffer | null {
    return this.forDigest.get(digestId)?.shingles ?? null;
  }

  /**
   * Removes and returns the pending shingles of a digest being deleted. SQLite may give a deleted row's id to the
   * next digest, so rows must never outlive their digest.
   */
  take(digestId: number): Buffer | null {
    const shingles = this.peek(digestId);
    if (shingles) this.delta -= this.dropDigest.run(digestId).changes;
    return shingles;
  }

  /** Hands the oldest `limit` entries to `write` and forgets them; the caller owns the transaction. */
  moveOldest(limit: number, write: (digestId: number, shingles: Buffer) => void): number {
    const rows = this.oldest.all(limit);
    if (rows.length === 0) return 0;
    for (const row of rows) write(row.digest_id, row.shingles);
    this.delta -= this.dropUpTo.run(rows[rows.length - 1].seq).changes;
    return rows.length;
  }
}

/** (position, lo, hi) triples of a raw shingle block, the form the index removes ownership by. */
export function shingleTriples(shingles: Buffer): Uint32Array {
  const triples = new Uint32Array(SHINGLE_COUNT * 3);
  for (let i = 0; i < SHINGLE_COUNT; i++) {
    triples[3 * i] = i;
    triples[3 * i + 1] = shingles.readUInt32LE(i * 8);
    triples[3 * i + 2] = shingles.readUInt32LE(i * 8 + 4);
  }
  return triples;
}
