import type Database from 'better-sqlite3';
import type { UpdateOp } from '../../fuzzy-backend.js';
import { FuzzyIndex } from '../../memory/fuzzy-index.js';
import { applyToIndex } from './apply-commits.js';
import { SqliteCheck } from './sqlite-check.js';
import type { WriterResult } from '../writer/writer-protocol.js';

/**
 * The store's state while its index is rebuilt in the background (docs/architecture.md, start-up): `recent` holds
 * every commit since the store opened, `deleted` the digests deleted since (the writer moves its journal into the
 * tables only in the background), `tables` answers CHECKs from rspamd's tables plus those, and every commit is kept
 * to be replayed onto the rebuilt index.
 */
export class IndexLoading {
  /** Marked incomplete, so UDP threads hand every CHECK to the main thread. */
  readonly recent: FuzzyIndex;
  readonly tables: SqliteCheck;
  private readonly deleted = new Set<string>();
  private readonly commits: { results: WriterResult[]; ops: UpdateOp[] | null }[] = [];

  constructor(readDb: Database.Database, expireSeconds: number) {
    this.recent = new FuzzyIndex(expireSeconds);
    this.recent.locks.setComplete(false);
    this.tables = new SqliteCheck(readDb, expireSeconds, this.recent, this.deleted);
  }

  /** A commit already applied to `recent`. */
  record(results: WriterResult[], ops: UpdateOp[] | null): void {
    this.commits.push({ results, ops });
    for (const r of results) {
      const hex = Buffer.from(r.digest.buffer, r.digest.byteOffset, r.digest.byteLength).toString('hex');
      if (r.status === 'deleted') this.deleted.add(hex);
      else if (r.status !== 'not-found') this.deleted.delete(hex);
    }
  }

  /** Every commit since the store opened, in order, onto the index built meanwhile. */
  replayOnto(index: FuzzyIndex): void {
    for (const { results, ops } of this.commits) applyToIndex(index, results, ops, { replay: true });
  }
}
