import type Database from 'better-sqlite3';
import { SHINGLE_COUNT } from '../../../../../shared/protocol/constants.js';
import type { FlagValue } from '../../../../../shared/protocol/types.js';
import { flagsOf, type UpdateOp } from '../../fuzzy-backend.js';
import type { Durability } from '../../../config/app-config.js';
import { applyEdit, applyWrite, type RuleOutcome, shinglesStored } from '../../update-rule.js';
import { ExtraFlags } from '../extra-flags.js';
import { PendingShingles, shingleTriples } from './pending-shingles.js';
import { createFuzzydSchema } from '../sqlite-schema.js';
import { type JournalEntry, WriteJournal } from './write-journal.js';
import { unpackOps } from './write-op-codec.js';
import type { WriterResult } from './writer-protocol.js';
import { AuditStaging } from '../../../audit/audit-staging.js';
import { auditContextAt, type AuditBatch } from '../../../audit/audit-batch.js';
import { auditRowOfUpdate, type AuditRow } from '../../../audit/audit-row.js';

interface DigestRow {
  id: number;
  flag: number;
  value: number;
  time: number;
}

/** A digest row with its first write from fuzzyd_digest_created (null: none recorded, a row rspamd's worker wrote). */
interface CreatedDigestRow extends DigestRow {
  created: number | null;
}

/**
 * A digest's row as the journal will leave it: the table row with every acknowledged, not yet applied op on top.
 * `id` is the table row's id while the row is the table's (null once the journal deleted or newly added it);
 * `shingles` are those of a journaled add, not in any table yet. `seq` is the newest journal batch that touched it.
 */
interface JournaledRow {
  seq: number;
  exists: boolean;
  id: number | null;
  flag: number;
  value: number;
  time: number;
  /** First write: the delay counts from it (sqlite-schema.ts, fuzzyd_digest_created). */
  created: number;
  extraFlags: FlagValue[];
  shingles: Buffer | null;
}

const MASK32 = 0xffffffffn;

/**
 * Commits update batches and applies them to rspamd's schema. Runs on the writer thread, the only writer of the fuzzy
 * tables. The flags a WRITE leaves are update-rule.ts's (the primary slot in `digests`, the others in
 * fuzzyd_extra_flags); shingles are stored only with a new digest, as rspamd does (spec/fuzzy-storage.md §2.4).
 *
 * A batch is acknowledged once it is in the journal (write-journal.ts); its results are decided right then against
 * the tables plus the journaled ops still waiting (`journaled`), so they are exactly what applying it later yields.
 */
export class SqliteWriter {
  private readonly findDigest: Database.Statement<[Buffer], CreatedDigestRow>;
  private readonly insertDigest: Database.Statement<[number, Buffer, number, number]>;
  private readonly rewrite: Database.Statement<[number, number, number, number]>;
  private readonly setFields: Database.Statement<[number, number, number]>;
  /** All 32 shingle rows of a new digest in one statement: one trip into SQLite instead of 32. */
  private readonly insertShingles: Database.Statement<(bigint | number)[]>;
  private readonly ownedShingles: Database.Statement<[number], { value: bigint; number: number }>;
  private readonly deleteShingles: Database.Statement<[number]>;
  private readonly keepBlock: Database.Statement<[number, Buffer]>;
  private readonly dropBlock: Database.Statement<[number]>;
  private readonly keepCreated: Database.Statement<[number, number]>;
  private readonly dropCreated: Database.Statement<[number]>;
  private readonly deleteDigest: Database.Statement<[number]>;
  private readonly bumpVersion: Database.Statement<[number]>;
  private readonly expired: Database.Statement<[number, number], { digest: Buffer } & DigestRow>;
  private readonly purgeAll: (cutoff: number, limit: number) => WriterResult[];
  private readonly moveAll: (deadline: number) => number;
  private readonly pending: PendingShingles;
  private readonly extras: ExtraFlags;
  private readonly journal: WriteJournal;
  private readonly audit: AuditStaging;
  private readonly moveAudit: (deadline: number) => number;
  /** Digests (latin1 keys) touched by journaled batches not applied yet. */
  private readonly journaled = new Map<string, JournaledRow>();
  /** Sequence numbers of the newest committed journal batch and of the newest one applied to the tables. */
  private committedSeq = 0;
  private appliedSeq = 0;
  private readonly commitAll: (
    ops: UpdateOp[],
    keys: string[],
    packed: Buffer,
    now: number,
    audit: AuditBatch | undefined,
  ) => { seq: number; results: WriterResult[] };
  private readonly replayAll: (deadline: number) => { entry: JournalEntry; ops: UpdateOp[] }[];

  constructor(
    private readonly db: Database.Database,
    private readonly durability: Durability = 'full',
  ) {
    createFuzzydSchema(db);
    this.pending = new PendingShingles(db);
    this.extras = new ExtraFlags(db);
    this.journal = new WriteJournal(db);
    this.audit = new AuditStaging(db);
    this.findDigest = db.prepare(
      `SELECT d.id, d.flag, d.value, d.time, c.created FROM digests d
       LEFT JOIN fuzzyd_digest_created c ON c.digest_id = d.id WHERE d.digest = CAST(? AS TEXT)`,
    );
    this.insertDigest = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (?, CAST(? AS TEXT), ?, ?)');
    this.rewrite = db.prepare('UPDATE digests SET value = ?, flag = ?, time = ? WHERE id = ?');
    this.setFields = db.prepare('UPDATE digests SET value = ?, flag = ? WHERE id = ?');
    this.insertShingles = db.prepare(
      `INSERT OR REPLACE INTO shingles(value, number, digest_id) VALUES ${Array(SHINGLE_COUNT).fill('(?, ?, ?)').join(', ')}`,
    );
    this.ownedShingles = db.prepare('SELECT value, number FROM shingles WHERE digest_id = ?').safeIntegers(true) as never;
    this.deleteShingles = db.prepare('DELETE FROM shingles WHERE digest_id = ?');
    this.keepBlock = db.prepare('INSERT OR REPLACE INTO fuzzyd_shingle_blocks(digest_id, shingles) VALUES (?, ?)');
    this.dropBlock = db.prepare('DELETE FROM fuzzyd_shingle_blocks WHERE digest_id = ?');
    // OR REPLACE: rspamd's worker deletes digests without foreign keys, so a reused id may still have an old record.
    this.keepCreated = db.prepare('INSERT OR REPLACE INTO fuzzyd_digest_created(digest_id, created) VALUES (?, ?)');
    this.dropCreated = db.prepare('DELETE FROM fuzzyd_digest_created WHERE digest_id = ?');
    this.deleteDigest = db.prepare('DELETE FROM digests WHERE id = ?');
    db.prepare("INSERT OR IGNORE INTO sources(name, version, last) VALUES ('local', 0, 0)").run();
    this.bumpVersion = db.prepare("UPDATE sources SET version = version + 1, last = ? WHERE name = 'local'");
    this.expired = db.prepare(
      'SELECT id, flag, value, time, CAST(digest AS BLOB) AS digest FROM digests WHERE time < ? ORDER BY time LIMIT ?',
    );
    this.commitAll = db.transaction((ops: UpdateOp[], keys: string[], packed: Buffer, now: number, audit: AuditBatch | undefined) => {
      const seq = this.journal.append(now, ops.length, packed);
      const results = ops.map((op, i) => this.decide(op, keys[i], now, seq));
      // The audit rows commit with the writes they record: an acknowledged write always has its row.
      if (audit) {
        const timeMs = Date.now();
        this.audit.append(timeMs, auditRows(ops, results, audit, timeMs));
      }
      return { seq, results };
    });
    this.moveAudit = db.transaction((deadline: number) => this.audit.moveOldest(deadline));
    this.replayAll = db.transaction((deadline: number) => {
      const applied: { entry: JournalEntry; ops: UpdateOp[] }[] = [];
      let entry: JournalEntry | undefined;
      while (performance.now() < deadline && (entry = this.journal.oldest())) {
        const ops = unpackOps(entry.ops);
        this.applyOps(ops, entry.time);
        this.journal.drop(entry);
        applied.push({ entry, ops });
      }
      return applied;
    });
    this.purgeAll = db.transaction((cutoff: number, limit: number) =>
      this.expired
        .all(cutoff, limit)
        .filter((row) => !this.journaled.has(digestKey(row.digest)))
        .map((row) => this.remove(row.digest, row)),
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

  /** Acknowledged update ops not yet applied to rspamd's tables. */
  get journalSize(): number {
    return this.journal.size;
  }

  /**
   * Commits a batch (as packed by write-op-codec) to the journal and returns each op's result; throws, changing
   * nothing, when the transaction fails.
   */
  commit(packed: Buffer, now = Math.floor(Date.now() / 1000), audit?: AuditBatch): WriterResult[] {
    const ops = unpackOps(packed);
    const keys = ops.map((op) => digestKey(op.digest));
    const undo = new Map<string, JournaledRow | undefined>();
    for (const key of keys) if (!undo.has(key)) undo.set(key, this.journaled.get(key));
    try {
      const { seq, results } = this.commitAll(ops, keys, packed, now, audit);
      this.audit.settle(true);
      this.journal.appended(ops.length);
      this.committedSeq = seq;
      return results;
    } catch (err) {
      this.audit.settle(false);
      for (const [key, row] of undo) {
        if (row) this.journaled.set(key, row);
        else this.journaled.delete(key);
      }
      throw err;
    }
  }

  /**
   * Applies journaled batches, oldest first, for about `budgetMs`, in one transaction without an fsync of its own: the
   * batches were durable before, and applying one deletes it in the same transaction, so a crash just repeats it.
   */
  replayJournal(budgetMs: number): number {
    if (this.journal.size === 0) return 0;
    const applied = this.settling(() => this.withoutSync(() => this.replayAll(performance.now() + budgetMs)));
    // Only now, with the transaction committed, do the tables hold these batches' effects.
    let replayed = 0;
    for (const { entry, ops } of applied) {
      this.journal.removed(entry);
      this.appliedSeq = entry.seq;
      for (const op of ops) {
        const key = digestKey(op.digest);
        if (this.journaled.get(key)?.seq === entry.seq) this.journaled.delete(key);
      }
      replayed += ops.length;
    }
    // Rowids may start over once the journal is empty; every waiting reader has been answered by then.
    if (this.journal.size === 0) this.appliedSeq = 0;
    return replayed;
  }

  /** The journal position a reader must wait for to see everything committed so far (see `isApplied`). */
  get journalTail(): number {
    return this.committedSeq;
  }

  /** Whether every batch up to journal position `seq` is in rspamd's tables. */
  isApplied(seq: number): boolean {
    return this.journal.size === 0 || this.appliedSeq >= seq;
  }

  /** Applies the whole journal (start-up and shutdown); throws when a pass fails or cannot make progress. */
  drainJournal(): void {
    while (this.journal.size > 0) {
      if (this.replayJournal(1000) === 0) throw new Error(`journal replay made no progress (${this.journal.size} ops left)`);
    }
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
    return this.settling(() => this.withoutSync(() => this.moveAll(performance.now() + budgetMs)));
  }

  private withoutSync<T>(work: () => T): T {
    this.db.pragma('synchronous = NORMAL');
    try {
      return work();
    } finally {
      if (this.durability === 'full') this.db.pragma('synchronous = FULL');
    }
  }

  /** Audit rows of committed updates not yet in the searchable table (audit-schema.ts). */
  get stagedAuditRows(): number {
    return this.audit.size;
  }

  /** Moves staged audit rows into fuzzyd_audit for about `budgetMs`; like the shingle move, it needs no fsync. */
  moveStagedAudit(budgetMs: number): number {
    if (this.audit.size === 0) return 0;
    try {
      const moved = this.withoutSync(() => this.moveAudit(performance.now() + budgetMs));
      this.audit.settle(true);
      return moved;
    } catch (err) {
      this.audit.settle(false);
      throw err;
    }
  }

  /** Moves every pending row (start-up and shutdown, so rspamd opening the file sees all shingles). */
  drainPendingShingles(): void {
    while (this.pending.size > 0) {
      if (this.movePendingShingles(1000) === 0) throw new Error(`shingle move made no progress (${this.pending.size} left)`);
    }
  }

  /**
   * Deletes at most `limit` hashes whose last write is older than the expiry, oldest first. Hashes with journaled
   * updates are left for a later purge: their rows do not show those updates yet (a journaled WRITE refreshes the
   * time), and draining the journal first would hold up acknowledgements for as long as that takes.
   */
  purgeExpired(now: number, expireSeconds: number, limit: number): WriterResult[] {
    return this.settling(() => this.purgeAll(now - expireSeconds, limit));
  }

  /**
   * Runs a transaction, then keeps the in-memory state it changed (extra flag owners, the pending shingle count) in
   * step with its outcome: changes of a transaction that rolled back (disk full, a lock) are dropped.
   */
  private settling<T>(transaction: () => T): T {
    try {
      const out = transaction();
      this.extras.settle(true);
      this.pending.settle(true);
      return out;
    } catch (err) {
      this.extras.settle(false);
      this.pending.settle(false);
      throw err;
    }
  }

  private applyOps(ops: UpdateOp[], now: number): WriterResult[] {
    const results = ops.map((op) => this.applyOne(op, now));
    if (results.some((r) => r.status !== 'not-found')) this.bumpVersion.run(now);
    return results;
  }

  /**
   * The result `applyOne` will give `op` (whose digest's key is `key`) once the journal before it is applied, recorded in
   * `journaled`.
   */
  private decide(op: UpdateOp, key: string, now: number, seq: number): WriterResult {
    const row = this.currentRow(key, op.digest);
    if (op.kind === 'del') {
      if (!row) return notFound(op.digest);
      const removed = row.id !== null ? this.storedTriples(row.id) : row.shingles ? shingleTriples(row.shingles) : new Uint32Array(0);
      this.journaled.set(key, { ...row, exists: false, id: null, shingles: null, seq });
      return { ...result('deleted', op.digest, flagsOf(row), row.time, row.created), removedShingles: removed };
    }
    if (op.kind === 'set' && !row) return notFound(op.digest);
    const outcome = outcomeOf(op, row);
    const time = timeAfter(op, row, now);
    const [primary, ...extraFlags] = outcome.flags;
    const next = row ?? { ...NO_ROW, exists: true, created: now, shingles: shinglesStored(op, outcome.status)?.bytes ?? null };
    this.journaled.set(key, { ...next, flag: primary.flag, value: primary.value, extraFlags, time, seq });
    // A row added by the journal has no table row yet: its shingles are the journaled add's, known here for free.
    const shingles = next.id === null ? (next.shingles ? SHINGLE_COUNT : 0) : null;
    return { ...result(outcome.status, op.digest, outcome.flags, time, next.created), shingles };
  }

  private currentRow(key: string, digest: Buffer): JournaledRow | null {
    const journaled = this.journaled.get(key);
    if (journaled) return journaled.exists ? journaled : null;
    const row = this.findDigest.get(digest);
    if (!row) return null;
    const { id, flag, value, time } = row;
    return { seq: 0, exists: true, id, flag, value, time, created: createdOf(row), extraFlags: this.extras.of(id), shingles: null };
  }

  /** The shingle positions a table row owns: its queued ones if any, else its rows in `shingles`. */
  private storedTriples(id: number): Uint32Array {
    const pending = this.pending.peek(id);
    return pending ? shingleTriples(pending) : this.ownedTriples(id);
  }

  private ownedTriples(id: number): Uint32Array {
    const owned = this.ownedShingles.all(id);
    const triples = new Uint32Array(owned.length * 3);
    owned.forEach((s, i) => {
      const unsigned = BigInt.asUintN(64, s.value);
      triples[3 * i] = Number(s.number);
      triples[3 * i + 1] = Number(unsigned & MASK32);
      triples[3 * i + 2] = Number(unsigned >> 32n);
    });
    return triples;
  }

  private applyOne(op: UpdateOp, now: number): WriterResult {
    const row = this.findDigest.get(op.digest);
    if (op.kind === 'del') return row ? this.remove(op.digest, row) : notFound(op.digest);
    if (op.kind === 'set' && !row) return notFound(op.digest);
    const extraFlags = row ? this.extras.of(row.id) : [];
    const outcome = outcomeOf(op, row ? { ...row, extraFlags } : null);
    const [primary, ...extra] = outcome.flags;
    const time = timeAfter(op, row ?? null, now);
    let id: number;
    let created: number;
    if (row) {
      id = row.id;
      created = createdOf(row);
      // A row rspamd's worker wrote has no record: its `time` is its first write, until this rewrite refreshes it.
      if (row.created === null) this.keepCreated.run(id, created);
      this.rewrite.run(primary.value, primary.flag, time, id);
    } else {
      created = now;
      id = Number(this.insertDigest.run(primary.flag, op.digest, primary.value, time).lastInsertRowid);
      this.keepCreated.run(id, created);
      const shingles = shinglesStored(op, outcome.status);
      if (shingles) this.pending.add(id, shingles.bytes);
      // rspamd's worker deletes digests without foreign keys: a block it left behind must not pass to a reused id.
      else this.dropBlock.run(id);
    }
    if (extra.length > 0 || extraFlags.length > 0) this.extras.replace(id, extra);
    return result(outcome.status, op.digest, outcome.flags, time, created);
  }

  private writeShingleRows(id: number, shingles: Buffer): void {
    const params = new Array<bigint | number>(SHINGLE_COUNT * 3);
    for (let i = 0; i < SHINGLE_COUNT; i++) {
      params[3 * i] = shingles.readBigInt64LE(i * 8);
      params[3 * i + 1] = i;
      params[3 * i + 2] = id;
    }
    this.insertShingles.run(...params);
    this.keepBlock.run(id, shingles);
  }

  private remove(digest: Uint8Array, row: DigestRow): WriterResult {
    // Positions still queued are claimed in the index too; the index drops only those this digest still owns.
    const pending = this.pending.take(row.id);
    const triples = pending ? shingleTriples(pending) : this.ownedTriples(row.id);
    // The cascade does this too, but files made without foreign keys enabled may lack it.
    this.deleteShingles.run(row.id);
    this.dropBlock.run(row.id);
    // A digest written again after this is a new one: its delay starts over (Redis: a new key's C).
    this.dropCreated.run(row.id);
    this.extras.forget(row.id);
    this.deleteDigest.run(row.id);
    return { ...result('deleted', digest, [{ flag: row.flag, value: row.value }], row.time, 0), removedShingles: triples };
  }
}

/** What update-rule.ts makes of a WRITE or admin edit on the row (null: the digest is not stored). */
function outcomeOf(op: Exclude<UpdateOp, { kind: 'del' }>, row: { flag: number; value: number; extraFlags: FlagValue[] } | null): RuleOutcome {
  const current = row ? flagsOf(row) : [];
  return op.kind === 'write' ? applyWrite(current, op.flag, op.value, op.rule, op.weak) : applyEdit(current, op);
}

/**
 * The row's `time` after a change: a WRITE refreshes it (a hash expires `expire` seconds after its last WRITE, spec
 * §2.4), an admin edit keeps it. SQLite's alone: Redis keeps the creation time in C and refreshes the key's TTL.
 */
function timeAfter(op: Exclude<UpdateOp, { kind: 'del' }>, row: { time: number } | null, now: number): number {
  return op.kind === 'set' && row ? row.time : now;
}

function result(status: WriterResult['status'], digest: Uint8Array, flags: readonly FlagValue[], time: number, created: number): WriterResult {
  const [primary, ...extraFlags] = flags;
  return { status, digest, flag: primary?.flag ?? 0, value: primary?.value ?? 0, extraFlags, time, created, removedShingles: null, shingles: null };
}

/** A row's first write: its record, else (rspamd's worker wrote it) its `time`. */
function createdOf(row: CreatedDigestRow): number {
  return row.created ?? row.time ?? 0;
}

function auditRows(ops: readonly UpdateOp[], results: readonly WriterResult[], audit: AuditBatch, timeMs: number): AuditRow[] {
  const rows: AuditRow[] = [];
  ops.forEach((op, i) => {
    const context = auditContextAt(audit, i);
    const row = context ? auditRowOfUpdate(op, results[i], context, timeMs) : null;
    if (row) rows.push(row);
  });
  return rows;
}

const NO_ROW: JournaledRow = { seq: 0, exists: false, id: null, flag: 0, value: 0, time: 0, created: 0, extraFlags: [], shingles: null };

function digestKey(digest: Uint8Array): string {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength).toString('latin1');
}

function notFound(digest: Uint8Array): WriterResult {
  return result('not-found', digest, [], 0, 0);
}
