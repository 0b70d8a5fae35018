import type Database from 'better-sqlite3';

export interface JournalEntry {
  /** Increases with every batch while the journal holds any (a rowid: numbering may restart once it is empty). */
  seq: number;
  /** The commit time the batch's writes were acknowledged with (unix seconds); replay stamps rows with it. */
  time: number;
  /** Update ops in the batch. */
  count: number;
  /** The batch exactly as it crossed from the main thread (write-op-codec). */
  ops: Buffer;
}

/**
 * Acknowledged update batches not yet applied to rspamd's tables, one row per batch, in commit order.
 *
 * Applying a WRITE to rspamd's layout means random inserts into the unique digest index (and the admin API's flag
 * index): each one dirties its own 4 KB page, so a group commit of 64 writes put ~0.5 MB into the WAL and its fsync,
 * and the writer thread could acknowledge only ~18k plain writes/s. Appending the batch here is one sequential row:
 * the acknowledging transaction stays small, and the batch is applied to the tables later, in large transactions
 * without an fsync of their own (each one deletes its journal rows, so a crash replays exactly what it lost).
 */
export class WriteJournal {
  private readonly insert: Database.Statement<[number, number, Buffer]>;
  private readonly first: Database.Statement<[], JournalEntry>;
  private readonly remove: Database.Statement<[number]>;
  private pendingOps: number;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO fuzzyd_write_journal(time, count, ops) VALUES (?, ?, ?)');
    this.first = db.prepare('SELECT seq, time, count, ops FROM fuzzyd_write_journal ORDER BY seq LIMIT 1');
    this.remove = db.prepare('DELETE FROM fuzzyd_write_journal WHERE seq = ?');
    this.pendingOps = (db.prepare('SELECT coalesce(sum(count), 0) AS n FROM fuzzyd_write_journal').get() as { n: number }).n;
  }

  /** Update ops acknowledged but not yet in rspamd's tables. */
  get size(): number {
    return this.pendingOps;
  }

  /**
   * Appends a batch inside the caller's transaction and returns its sequence number. `size` counts it only once the
   * caller reports the commit (`appended`), so a rollback leaves the count right.
   */
  append(time: number, count: number, ops: Buffer): number {
    return Number(this.insert.run(time, count, ops).lastInsertRowid);
  }

  appended(count: number): void {
    this.pendingOps += count;
  }

  oldest(): JournalEntry | undefined {
    return this.first.get();
  }

  /** Deletes an applied batch inside the caller's transaction; report the commit with `removed`. */
  drop(entry: JournalEntry): void {
    this.remove.run(entry.seq);
  }

  removed(entry: JournalEntry): void {
    this.pendingOps -= entry.count;
  }
}
