import type Database from 'better-sqlite3';
import { AUDIT_COLUMNS, createAuditSchema } from './audit-schema.js';
import { auditParams, type AuditRow } from './audit-row.js';

/** Rows moved per statement while a slice lasts. */
const MOVE_CHUNK = 500;

/**
 * The writer thread's side of the audit trail (audit-schema.ts says why two tables): `append` runs inside the group
 * commit's transaction, `moveOldest` in the background slices that also apply the journal.
 */
export class AuditStaging {
  private readonly insert: Database.Statement;
  private readonly copy: Database.Statement<[number]>;
  private readonly drop: Database.Statement<[number]>;
  private readonly lastOf: Database.Statement<[number], { id: number | null }>;
  private staged: number;
  private change = 0;

  constructor(db: Database.Database) {
    createAuditSchema(db);
    this.insert = db.prepare(`INSERT INTO fuzzyd_audit_staged(${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.lastOf = db.prepare('SELECT max(id) AS id FROM (SELECT id FROM fuzzyd_audit_staged ORDER BY id LIMIT ?)');
    this.copy = db.prepare(`INSERT INTO fuzzyd_audit(${AUDIT_COLUMNS}) SELECT ${AUDIT_COLUMNS} FROM fuzzyd_audit_staged WHERE id <= ? ORDER BY id`);
    this.drop = db.prepare('DELETE FROM fuzzyd_audit_staged WHERE id <= ?');
    this.staged = (db.prepare('SELECT count(*) AS n FROM fuzzyd_audit_staged').get() as { n: number }).n;
  }

  /** Rows not yet in the searchable table. */
  get size(): number {
    return this.staged;
  }

  /** Inside the caller's transaction; report its outcome with `settle`. */
  append(rows: readonly AuditRow[]): void {
    for (const row of rows) this.insert.run(...auditParams(row));
    this.change += rows.length;
  }

  /** Moves the oldest staged rows into fuzzyd_audit until `deadline`, inside the caller's transaction. */
  moveOldest(deadline: number): number {
    let moved = 0;
    while (performance.now() < deadline) {
      const upTo = this.lastOf.get(MOVE_CHUNK)?.id;
      if (upTo === null || upTo === undefined) break;
      this.copy.run(upTo);
      const n = this.drop.run(upTo).changes;
      moved += n;
      this.change -= n;
    }
    return moved;
  }

  /** Keeps `size` in step with the transaction: counted only if it committed. */
  settle(committed: boolean): void {
    if (committed) this.staged += this.change;
    this.change = 0;
  }
}
