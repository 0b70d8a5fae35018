import type Database from 'better-sqlite3';
import { AUDIT_COLUMNS, createAuditSchema } from './audit-schema.js';
import { auditParams, type AuditRow } from './audit-row.js';
import { packAuditRows, unpackAuditRows } from './audit-record-codec.js';

interface StagedBatch {
  id: number;
  time: number;
  count: number;
  who: string;
  records: Buffer;
}

/**
 * The writer thread's side of the audit trail (audit-schema.ts says why two tables): `append` runs inside the group
 * commit's transaction, one row per commit; `moveOldest` in the background slices that also apply the journal, one
 * fuzzyd_audit row per change.
 */
export class AuditStaging {
  private readonly insertBatch: Database.Statement<[number, number, string, Buffer]>;
  private readonly oldest: Database.Statement<[], StagedBatch>;
  private readonly drop: Database.Statement<[number]>;
  private readonly insertRow: Database.Statement;
  private staged: number;
  private change = 0;

  constructor(db: Database.Database) {
    createAuditSchema(db);
    this.insertBatch = db.prepare('INSERT INTO fuzzyd_audit_staged(time, count, who, records) VALUES (?, ?, ?, ?)');
    this.oldest = db.prepare('SELECT id, time, count, who, records FROM fuzzyd_audit_staged ORDER BY id LIMIT 1');
    this.drop = db.prepare('DELETE FROM fuzzyd_audit_staged WHERE id = ?');
    this.insertRow = db.prepare(`INSERT INTO fuzzyd_audit(${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.staged = (db.prepare('SELECT coalesce(sum(count), 0) AS n FROM fuzzyd_audit_staged').get() as { n: number }).n;
  }

  /** Rows not yet in the searchable table. */
  get size(): number {
    return this.staged;
  }

  /** Inside the caller's transaction (all rows share one time); report its outcome with `settle`. */
  append(timeMs: number, rows: readonly AuditRow[]): void {
    if (rows.length === 0) return;
    const packed = packAuditRows(rows);
    this.insertBatch.run(timeMs, packed.count, packed.who, packed.records);
    this.change += rows.length;
  }

  /** Moves the oldest staged batches into fuzzyd_audit until `deadline`, inside the caller's transaction. */
  moveOldest(deadline: number): number {
    let moved = 0;
    let batch: StagedBatch | undefined;
    while (performance.now() < deadline && (batch = this.oldest.get())) {
      for (const row of unpackAuditRows(batch.time, batch.who, batch.records)) this.insertRow.run(...auditParams(row));
      this.drop.run(batch.id);
      moved += batch.count;
      this.change -= batch.count;
    }
    return moved;
  }

  /** Keeps `size` in step with the transaction: counted only if it committed. */
  settle(committed: boolean): void {
    if (committed) this.staged += this.change;
    this.change = 0;
  }
}

/** Staged rows matching a search (audit-log.ts): the staged table is small, and emptied whenever writes pause. */
export function stagedRows(db: Database.Database, keep: (row: AuditRow) => boolean, limit = 200_000): AuditRow[] {
  const batches = db.prepare('SELECT time, who, records FROM fuzzyd_audit_staged ORDER BY id LIMIT ?').all(limit) as StagedBatch[];
  return batches.flatMap((b) => unpackAuditRows(b.time, b.who, b.records).filter(keep));
}
