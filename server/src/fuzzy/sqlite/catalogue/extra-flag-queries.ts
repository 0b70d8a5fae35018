import type Database from 'better-sqlite3';
import type { FlagValue } from '../../../../../shared/protocol/types.js';
import type { ExtraFlagPlan } from '../../hash-catalogue.js';
import { afterCursor, type DigestRange } from '../../hash-range.js';

/**
 * The admin API's reads of `fuzzyd_extra_flags`, the slots 1..7 of multi-flag hashes (written only by the writer
 * thread, server/src/fuzzy/sqlite/extra-flags.ts): the slots of listed rows, and the digests that hold a flag in one
 * of those slots, in digest order for keyset pages, through fuzzyd's index `fuzzyd_extra_flags_flag` (sqlite-schema.ts).
 *
 * The table is keyed by digest id, not digest, so no index yields "slots with flag F in digest order". Of the two
 * plans, each is cheap where the other is not (k = hashes holding F in an extra slot, n = hashes):
 * - `sorted`: F's slots through `fuzzyd_extra_flags_flag`, their digests looked up and sorted: k row visits.
 * - `walk`: index `d` in digest order from the cursor, each digest probed for a slot with F, until the page is full:
 *   about limit·n/k index entries (digests are hashes, so F's holders are spread evenly over the digest space), never
 *   more than the range holds. It reads only the index, and an index entry costs about a third of a sorted row
 *   (measured at 100k hashes: 0.8 ms for the 2000 entries of a page at k = 5 % of n, the sorted plan 5.8 ms).
 * k is counted only up to where the walk is surely cheaper, √(limit·n/3), so either plan costs at most about that
 * (≈ 1.5k sorted rows for a 100-row page at 100k hashes, ≈ 6k at 1M), where the sorted plan alone would cost k for
 * every page and the walk alone a pass over the whole index for a rare flag.
 */
export class ExtraFlagQueries {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly slotsOf: Database.Statement<[string], { id: number; flag: number; value: number }>;
  private readonly slotsOfOne: Database.Statement<[number], FlagValue>;
  private readonly countUpTo: Database.Statement<[number, number], { k: number }>;
  private readonly maxId: Database.Statement<[], { n: number | null }>;
  private readonly live: Database.Statement<[string, number, number], number>;
  private readonly anySlot: Database.Statement<[], number>;

  constructor(private readonly db: Database.Database) {
    // The table and its index fuzzyd_extra_flags_flag are the writer's (sqlite-schema.ts), made before this opens.
    this.slotsOf = db.prepare(
      `SELECT digest_id AS id, flag, value FROM fuzzyd_extra_flags
       WHERE digest_id IN (SELECT value FROM json_each(?)) ORDER BY digest_id, slot`,
    );
    this.slotsOfOne = db.prepare('SELECT flag, value FROM fuzzyd_extra_flags WHERE digest_id = ? ORDER BY slot');
    this.countUpTo = db.prepare('SELECT count(*) AS k FROM (SELECT 1 FROM fuzzyd_extra_flags WHERE flag = ? LIMIT ?)');
    this.maxId = db.prepare('SELECT max(id) AS n FROM digests');
    this.anySlot = db.prepare<[], number>('SELECT 1 FROM fuzzyd_extra_flags LIMIT 1').pluck();
    this.live = db
      .prepare<[string, number, number], number>('SELECT id FROM digests WHERE id IN (SELECT value FROM json_each(?)) AND flag <> ? AND time >= ?')
      .pluck();
  }

  /** The extra slots of each row id, in slot order; ids without any are absent from the map. */
  slots(ids: readonly number[]): Map<number, FlagValue[]> {
    const byId = new Map<number, FlagValue[]>();
    // A store without rspamd 4.x writers has no extra slots at all: its pages skip the lookup (0.15 ms a page).
    if (ids.length === 0 || this.anySlot.get() === undefined) return byId;
    for (const row of this.slotsOf.all(JSON.stringify(ids))) {
      let list = byId.get(row.id);
      if (!list) byId.set(row.id, (list = []));
      list.push({ flag: row.flag, value: row.value });
    }
    return byId;
  }

  slotsOfRow(id: number): FlagValue[] {
    return this.slotsOfOne.all(id);
  }

  /**
   * Ids of the first `limit` unexpired digests in the range (in digest order) that hold `flag` in an extra slot but
   * not as primary (those come from the primary flag's index), or null when no hash holds it in an extra slot.
   * `plan` forces one (tests run both over the same data).
   */
  ids(flag: number, range: DigestRange, cutoff: number, limit: number, plan = this.plan(flag, range, limit)): number[] | null {
    if (plan === null) return null;
    return plan === 'sorted' ? this.sorted(flag, range, cutoff, limit) : this.walk(flag, range, cutoff, limit);
  }

  /** The cheaper plan for this page, or null when no hash holds the flag in an extra slot. */
  plan(flag: number, range: DigestRange, limit: number): ExtraFlagPlan | null {
    const n = this.maxId.get()?.n ?? 0;
    const cap = Math.ceil(Math.sqrt((Math.max(1, limit) * n) / WALK_ENTRY_COST)) + 1;
    const k = this.countUpTo.get(flag, cap)?.k ?? 0;
    if (k === 0) return null;
    if (k >= cap) return 'walk';
    const walkEntries = Math.min(n * rangeShare(range), (limit * n) / k);
    return walkEntries / WALK_ENTRY_COST < k ? 'walk' : 'sorted';
  }

  /** SQLite's steps for one of the plans (tests assert neither scans nor sorts the digests table). */
  explain(plan: ExtraFlagPlan, flag: number, range: DigestRange, limit: number): string[] {
    const { sql, params } = plan === 'sorted' ? this.sortedQuery(flag, range, 0, limit) : this.walkQuery(flag, range, limit);
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  }

  private sorted(flag: number, range: DigestRange, cutoff: number, limit: number): number[] {
    const { sql, params } = this.sortedQuery(flag, range, cutoff, limit);
    return this.statement(sql).pluck().all(...params) as number[];
  }

  /**
   * The walk reads index `d` alone; the flag and expiry of its candidates are checked on the rows afterwards, and
   * when some fail the walk goes on after the last candidate, so the page is still the first `limit` that pass.
   */
  private walk(flag: number, range: DigestRange, cutoff: number, limit: number): number[] {
    const out: number[] = [];
    let from = range;
    for (;;) {
      const { sql, params } = this.walkQuery(flag, from, limit);
      const candidates = this.statement(sql).all(...params) as { id: number; digest: Buffer }[];
      if (candidates.length === 0) return out;
      const live = new Set(this.live.all(JSON.stringify(candidates.map((c) => c.id)), flag, cutoff));
      for (const c of candidates) {
        if (!live.has(c.id)) continue;
        out.push(c.id);
        if (out.length === limit) return out;
      }
      if (candidates.length < limit) return out;
      from = afterCursor(from, candidates[candidates.length - 1].digest);
    }
  }

  private sortedQuery(flag: number, range: DigestRange, cutoff: number, limit: number): { sql: string; params: unknown[] } {
    // Unary +: the digest is reached by its id from the slot, not by index d. CROSS JOIN keeps the slots as the
    // outer loop (SQLite never reorders it).
    const bounds = rangeTerms(range, '+digests.digest');
    const sql = `SELECT digests.id FROM fuzzyd_extra_flags e CROSS JOIN digests ON digests.id = e.digest_id
      WHERE ${['e.flag = ?', ...bounds.where, '+digests.flag <> ?', '+digests.time >= ?'].join(' AND ')}
      ORDER BY digests.digest LIMIT ?`;
    return { sql, params: [flag, ...bounds.params, flag, cutoff, limit] };
  }

  private walkQuery(flag: number, range: DigestRange, limit: number): { sql: string; params: unknown[] } {
    const bounds = rangeTerms(range, 'digests.digest');
    const exists = 'EXISTS (SELECT 1 FROM fuzzyd_extra_flags e WHERE e.digest_id = digests.id AND e.flag = ?)';
    const sql = `SELECT digests.id AS id, CAST(digests.digest AS BLOB) AS digest FROM digests
      WHERE ${[...bounds.where, exists].join(' AND ')} ORDER BY digests.digest LIMIT ?`;
    return { sql, params: [...bounds.params, flag, limit] };
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/** What an index entry of the walk costs against a row of the sorted plan (see the class comment). */
const WALK_ENTRY_COST = 3;

function rangeTerms(range: DigestRange, column: string): { where: string[]; params: Buffer[] } {
  const where: string[] = [];
  const params: Buffer[] = [];
  if (range.from) {
    where.push(`${column} ${range.fromExclusive ? '>' : '>='} CAST(? AS TEXT)`);
    params.push(range.from);
  }
  if (range.to) {
    where.push(`${column} < CAST(? AS TEXT)`);
    params.push(range.to);
  }
  return { where, params };
}

/** The share of the digest space a range covers, from the first 6 bytes of its bounds (digests are uniform). */
function rangeShare(range: DigestRange): number {
  const head = (b: Buffer): number => {
    const six = Buffer.alloc(6);
    b.copy(six, 0, 0, 6);
    return six.readUIntBE(0, 6);
  };
  const span = 2 ** 48;
  const from = range.from ? head(range.from) : 0;
  const to = range.to ? head(range.to) : span;
  return Math.max(0, to - from) / span;
}
