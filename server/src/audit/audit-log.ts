import type Database from 'better-sqlite3';
import { openFuzzyDatabase } from '../fuzzy/sqlite/sqlite-schema.js';
import { AUDIT_COLUMNS, createAuditSchema } from './audit-schema.js';
import { auditParams, type AuditRow } from './audit-row.js';
import { stagedRows } from './audit-staging.js';

export interface AuditSearch {
  digest?: Buffer;
  /** A token, key or address: matches `actor` or `source` exactly. */
  actor?: string;
  /** Unix milliseconds: rows at or after it. */
  sinceMs?: number;
  limit: number;
}

export interface AuditLogOptions {
  retentionSeconds: number;
  maxRows: number;
  /** How often old rows are purged (default a minute). */
  purgeIntervalMs?: number;
  onError?: (err: Error) => void;
}

/** Rows waiting for the next flush at most; past it rows are dropped and counted (`dropped`) rather than queued. */
const MAX_BUFFERED = 10_000;
/** Rows deleted per purge statement, so one purge never holds the file's write lock for long. */
const PURGE_CHUNK = 5_000;

type RowOut = { time: number; via: string; actor: string; source: string | null; action: string; outcome: string | null; digest: Buffer | null; flag: number | null; value: number | null; detail: string | null };

/**
 * The main thread's side of the audit trail (audit-schema.ts): its searches, its purge, and the rows that are not the
 * SQLite writer thread's (admin changes other than fuzzy updates, and the Redis backend's updates). Those are buffered
 * and written in one transaction per turn of the event loop: a burst of Redis writes costs one commit, not one each.
 */
export class AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly flushAll: (rows: AuditRow[]) => void;
  private buffer: AuditRow[] = [];
  private flushScheduled = false;
  private purgeTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Rows dropped because the buffer was full or a flush failed, since start. */
  dropped = 0;

  constructor(
    dbPath: string,
    private readonly options: AuditLogOptions,
  ) {
    // `normal`: an audit row of an admin change is not worth an fsync of its own; the changes it records have theirs.
    this.db = openFuzzyDatabase(dbPath, { durability: 'normal', cacheMb: 8 });
    createAuditSchema(this.db);
    this.insert = this.db.prepare(`INSERT INTO fuzzyd_audit(${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.flushAll = this.db.transaction((rows: AuditRow[]) => {
      for (const row of rows) this.insert.run(...auditParams(row));
    });
    this.schedulePurge();
  }

  /** Records a row soon (next turn of the event loop); never throws, never waits. After `close`, drops it. */
  append(row: AuditRow): void {
    if (this.closed || this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push(row);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes what is buffered now (a search calls it first, so it sees what was just appended). */
  flush(): void {
    this.flushScheduled = false;
    if (this.closed || this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      this.flushAll(rows);
    } catch (err) {
      this.dropped += rows.length;
      this.options.onError?.(err as Error);
    }
  }

  /**
   * Newest first. Reads the searchable table and the rows the writer thread has not moved there yet (a small table
   * without indexes, emptied whenever writes pause).
   */
  search(query: AuditSearch): AuditRow[] {
    this.flush();
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.digest) {
      where.push('digest = ?');
      params.push(query.digest);
    }
    if (query.actor !== undefined) {
      where.push('(actor = ? OR source = ?)');
      params.push(query.actor, query.actor);
    }
    if (query.sinceMs !== undefined) {
      where.push('time >= ?');
      params.push(query.sinceMs);
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const searched = this.db
      .prepare(`SELECT ${AUDIT_COLUMNS} FROM fuzzyd_audit ${filter} ORDER BY time DESC, id DESC LIMIT ?`)
      .all(...params, query.limit) as RowOut[];
    const staged = stagedRows(
      this.db,
      (r) =>
        (!query.digest || (r.digest !== null && r.digest.equals(query.digest))) &&
        (query.actor === undefined || r.actor === query.actor || r.source === query.actor) &&
        (query.sinceMs === undefined || r.timeMs >= query.sinceMs),
    );
    // Staged rows are newer than every moved one of the same time: the writer moves them in commit order.
    const rows = [...staged.reverse(), ...searched.map(({ time, ...r }) => ({ ...r, timeMs: time, via: r.via as AuditRow['via'] }))];
    return rows.sort((a, b) => b.timeMs - a.timeMs).slice(0, query.limit);
  }

  /**
   * Deletes rows older than the retention and the oldest beyond the row bound, a chunk per statement. Staged rows are
   * left to the writer thread; they reach this table within moments and go at the next purge.
   */
  purge(nowMs = Date.now()): number {
    this.flush();
    const cutoff = nowMs - this.options.retentionSeconds * 1000;
    let removed = 0;
    const old = this.db.prepare('DELETE FROM fuzzyd_audit WHERE id IN (SELECT id FROM fuzzyd_audit WHERE time < ? LIMIT ?)');
    for (let n = PURGE_CHUNK; n === PURGE_CHUNK; removed += n) n = old.run(cutoff, PURGE_CHUNK).changes;
    // The id span bounds the count from above for free; only past the bound is the exact count worth reading.
    const span = (this.db.prepare('SELECT coalesce(max(id) - min(id) + 1, 0) AS n FROM fuzzyd_audit').get() as { n: number }).n;
    const count = span > this.options.maxRows ? (this.db.prepare('SELECT count(*) AS n FROM fuzzyd_audit').get() as { n: number }).n : 0;
    if (count > this.options.maxRows) {
      const excess = this.db.prepare('DELETE FROM fuzzyd_audit WHERE id IN (SELECT id FROM fuzzyd_audit ORDER BY time, id LIMIT ?)');
      for (let left = count - this.options.maxRows; left > 0; ) {
        const n = excess.run(Math.min(left, PURGE_CHUNK)).changes;
        if (n === 0) break;
        left -= n;
        removed += n;
      }
    }
    return removed;
  }

  close(): void {
    if (this.closed) return;
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    this.purgeTimer = null;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private schedulePurge(): void {
    this.purgeTimer = setTimeout(() => {
      try {
        this.purge();
      } catch (err) {
        this.options.onError?.(err as Error);
      }
      if (this.purgeTimer) this.schedulePurge();
    }, this.options.purgeIntervalMs ?? 60_000);
    this.purgeTimer.unref();
  }
}

export const AUDIT_LOG = Symbol('AUDIT_LOG');
