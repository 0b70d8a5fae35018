import type Database from 'better-sqlite3';
import { SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import type { UpdateOp } from '../fuzzy-backend.js';
import type { Durability } from '../../config/app-config.js';
import { PendingShingles, shingleTriples } from './pending-shingles.js';
import type { WriterResult } from './writer-protocol.js';

interface DigestRow {
  id: number;
  flag: number;
  value: number;
  time: number;
}

const MASK32 = 0xffffffffn;

/**
 * Applies update batches to rspamd's schema, one transaction per batch (group commit). Runs on the writer thread,
 * the only writer of the fuzzy tables. WRITE semantics are rspamd's SQLite ones (spec/fuzzy-storage.md §2.4): the
 * same flag adds the weight, another flag resets weight and flag; shingles are stored only with a new digest.
 */
export class SqliteWriter {
  private readonly findDigest: Database.Statement<[Buffer], DigestRow>;
  private readonly insertDigest: Database.Statement<[number, Buffer, number, number]>;
  private readonly addValue: Database.Statement<[number, number, number]>;
  private readonly reflag: Database.Statement<[number, number, number, number]>;
  private readonly setFields: Database.Statement<[number, number, number]>;
  /** All 32 shingle rows of a new digest in one statement: one trip into SQLite instead of 32. */
  private readonly insertShingles: Database.Statement<(bigint | number)[]>;
  private readonly ownedShingles: Database.Statement<[number], { value: bigint; number: number }>;
  private readonly deleteShingles: Database.Statement<[number]>;
  private readonly deleteDigest: Database.Statement<[number]>;
  private readonly bumpVersion: Database.Statement<[number]>;
  private readonly expired: Database.Statement<[number, number], { digest: Buffer } & DigestRow>;
  private readonly applyAll: (ops: UpdateOp[], now: number) => WriterResult[];
  private readonly purgeAll: (cutoff: number, limit: number) => WriterResult[];
  private readonly moveAll: (deadline: number) => number;
  private readonly pending: PendingShingles;

  constructor(
    private readonly db: Database.Database,
    private readonly durability: Durability = 'full',
  ) {
    this.pending = new PendingShingles(db);
    this.findDigest = db.prepare('SELECT id, flag, value, time FROM digests WHERE digest = CAST(? AS TEXT)');
    this.insertDigest = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (?, CAST(? AS TEXT), ?, ?)');
    this.addValue = db.prepare('UPDATE digests SET value = value + ?, time = ? WHERE id = ?');
    this.reflag = db.prepare('UPDATE digests SET value = ?, flag = ?, time = ? WHERE id = ?');
    this.setFields = db.prepare('UPDATE digests SET value = ?, flag = ? WHERE id = ?');
    this.insertShingles = db.prepare(
      `INSERT OR REPLACE INTO shingles(value, number, digest_id) VALUES ${Array(SHINGLE_COUNT).fill('(?, ?, ?)').join(', ')}`,
    );
    this.ownedShingles = db.prepare('SELECT value, number FROM shingles WHERE digest_id = ?').safeIntegers(true) as never;
    this.deleteShingles = db.prepare('DELETE FROM shingles WHERE digest_id = ?');
    this.deleteDigest = db.prepare('DELETE FROM digests WHERE id = ?');
    db.prepare("INSERT OR IGNORE INTO sources(name, version, last) VALUES ('local', 0, 0)").run();
    this.bumpVersion = db.prepare("UPDATE sources SET version = version + 1, last = ? WHERE name = 'local'");
    this.expired = db.prepare(
      'SELECT id, flag, value, time, CAST(digest AS BLOB) AS digest FROM digests WHERE time < ? ORDER BY time LIMIT ?',
    );
    this.applyAll = db.transaction((ops: UpdateOp[], now: number) => {
      const results = ops.map((op) => this.applyOne(op, now));
      if (results.some((r) => r.status !== 'not-found')) this.bumpVersion.run(now);
      return results;
    });
    this.purgeAll = db.transaction((cutoff: number, limit: number) =>
      this.expired.all(cutoff, limit).map((row) => this.remove(row.digest, row)),
    );
    this.moveAll = db.transaction((deadline: number) => {
      let moved = 0;
      while (performance.now() < deadline) {
        const n = this.pending.moveOldest(8, (id, shingles) => this.writeShingleRows(id, shingles));
        if (n === 0) break;
        moved += n;
      }
      return moved;
    });
  }

  /** Shingle rows not yet in rspamd's `shingles` table. */
  get pendingShingles(): number {
    return this.pending.size;
  }

  /**
   * Moves pending shingle rows into `shingles` for about `budgetMs`, in one transaction. That transaction needs no
   * fsync of its own: the rows were durable before, and the move is atomic, so a crash just repeats it.
   */
  movePendingShingles(budgetMs: number): number {
    if (this.pending.size === 0) return 0;
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.moveAll(performance.now() + budgetMs);
    } finally {
      if (this.durability === 'full') this.db.pragma('synchronous = FULL');
    }
  }

  /** Moves every pending row (start-up and shutdown, so rspamd opening the file sees all shingles). */
  drainPendingShingles(): void {
    while (this.pending.size > 0) this.movePendingShingles(1000);
  }

  /** Commits the whole batch or nothing; throws when the transaction fails. */
  apply(ops: UpdateOp[], now = Math.floor(Date.now() / 1000)): WriterResult[] {
    return this.applyAll(ops, now);
  }

  /** Deletes at most `limit` hashes whose last write is older than the expiry, oldest first. */
  purgeExpired(now: number, expireSeconds: number, limit: number): WriterResult[] {
    return this.purgeAll(now - expireSeconds, limit);
  }

  private applyOne(op: UpdateOp, now: number): WriterResult {
    const row = this.findDigest.get(op.digest);
    if (op.kind === 'del') return row ? this.remove(op.digest, row) : notFound(op.digest);
    if (op.kind === 'set') {
      if (!row) return notFound(op.digest);
      const flag = op.flag ?? row.flag;
      const value = op.value ?? row.value;
      this.setFields.run(value, flag, row.id);
      return result(flag !== row.flag ? 'reflagged' : 'updated', op.digest, flag, value, row.time);
    }
    if (row && row.flag === op.flag) {
      this.addValue.run(op.value, now, row.id);
      return result('updated', op.digest, row.flag, row.value + op.value, now);
    }
    if (row) {
      this.reflag.run(op.value, op.flag, now, row.id);
      return result('reflagged', op.digest, op.flag, op.value, now);
    }
    const id = Number(this.insertDigest.run(op.flag, op.digest, op.value, now).lastInsertRowid);
    if (op.shingles) this.pending.add(id, op.shingles.bytes);
    return result('added', op.digest, op.flag, op.value, now);
  }

  private writeShingleRows(id: number, shingles: Buffer): void {
    const params = new Array<bigint | number>(SHINGLE_COUNT * 3);
    for (let i = 0; i < SHINGLE_COUNT; i++) {
      params[3 * i] = shingles.readBigInt64LE(i * 8);
      params[3 * i + 1] = i;
      params[3 * i + 2] = id;
    }
    this.insertShingles.run(...params);
  }

  private remove(digest: Uint8Array, row: DigestRow): WriterResult {
    const pending = this.pending.take(row.id);
    const owned = this.ownedShingles.all(row.id);
    let triples: Uint32Array = new Uint32Array(owned.length * 3);
    owned.forEach((s, i) => {
      const unsigned = BigInt.asUintN(64, s.value);
      triples[3 * i] = Number(s.number);
      triples[3 * i + 1] = Number(unsigned & MASK32);
      triples[3 * i + 2] = Number(unsigned >> 32n);
    });
    // Positions still queued are claimed in the index too; the index drops only those this digest still owns.
    if (pending) triples = shingleTriples(pending);
    // The cascade does this too, but files made without foreign keys enabled may lack it.
    this.deleteShingles.run(row.id);
    this.deleteDigest.run(row.id);
    return { ...result('deleted', digest, row.flag, row.value, row.time), removedShingles: triples };
  }
}

function result(status: WriterResult['status'], digest: Uint8Array, flag: number, value: number, time: number): WriterResult {
  return { status, digest, flag, value, time, removedShingles: null };
}

function notFound(digest: Uint8Array): WriterResult {
  return result('not-found', digest, 0, 0, 0);
}
