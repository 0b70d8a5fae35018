import type Database from 'better-sqlite3';
import { ShingleBlock } from '../../../../../shared/protocol/shingle-block.js';
import { SHINGLE_COUNT } from '../../../../../shared/protocol/constants.js';
import type { ExtraFlagPlan, HashFilter, HashRow, HashRowWithCount, PagePlan } from '../../hash-catalogue.js';
import { ExtraFlagQueries } from './extra-flag-queries.js';

const COLUMNS = 'id, CAST(digest AS BLOB) AS digest, flag, value, time';

/**
 * Shingle rows of a hash: those in rspamd's table plus, for a hash written moments ago, the 32 still queued in
 * fuzzyd_pending_shingles (see server/src/fuzzy/sqlite/writer/pending-shingles.ts).
 */
const SHINGLE_COUNT_SQL = `((SELECT count(*) FROM shingles s WHERE s.digest_id = digests.id)
  + ${SHINGLE_COUNT} * (SELECT count(*) FROM fuzzyd_pending_shingles p WHERE p.digest_id = digests.id))`;

/**
 * Read queries on rspamd's `digests` and `shingles` tables (and fuzzyd's extra flag slots beside them) for the admin
 * API. Never writes them (all writes go through FuzzyBackend.update and the writer thread); the indexes it relies on
 * beyond rspamd's are fuzzyd's (sqlite-schema.ts), made by the writer before this connection opens.
 *
 * Keyset pages walk index `d` (digest) or `fuzzyd_digests_flag` (flag, digest). `+time` keeps the expiry filter
 * from tempting the planner into index `t`, which would sort the whole table for every page. A flag filter matches
 * hashes holding the flag in any slot: the primary flag's index gives the usual page, the hashes holding it in an
 * extra slot come from a second query of at most `limit` rows (extra-flag-queries.ts), and the two are merged in
 * digest order. Both run in one read transaction, so a page never mixes two committed states.
 */
export class SqliteHashQueries {
  private readonly pages = new Map<string, Database.Statement>();
  private readonly byDigest: Database.Statement<[Buffer, number], HashRowWithCount>;
  private readonly shingleRows: Database.Statement<[number], { number: bigint; value: bigint }>;

  private readonly pendingRow: Database.Statement<[number], { shingles: Buffer }>;
  private readonly shingleCountOf: Database.Statement<[Buffer], number>;
  private readonly extras: ExtraFlagQueries;
  private readonly byIds = new Map<string, Database.Statement<[string], HashRowWithCount>>();

  constructor(
    private readonly db: Database.Database,
    private readonly expireSeconds: number,
  ) {
    this.extras = new ExtraFlagQueries(db);
    this.byDigest = db.prepare(
      `SELECT ${COLUMNS}, ${SHINGLE_COUNT_SQL} AS shingles
       FROM digests WHERE digests.digest = CAST(? AS TEXT) AND +digests.time >= ?`,
    );
    this.shingleRows = db.prepare('SELECT number, value FROM shingles WHERE digest_id = ?').safeIntegers(true) as never;
    this.pendingRow = db.prepare('SELECT shingles FROM fuzzyd_pending_shingles WHERE digest_id = ?');
    this.shingleCountOf = db
      .prepare<[Buffer], number>(`SELECT ${SHINGLE_COUNT_SQL} FROM digests WHERE digests.digest = CAST(? AS TEXT)`)
      .pluck();
  }

  /** Hashes in digest order within the filter, with their shingle counts; expired ones are left out. */
  page(filter: HashFilter, now = nowSeconds()): HashRowWithCount[] {
    return this.read(filter, now, true) as HashRowWithCount[];
  }

  /** Like page() without the shingle counts (export reads the shingles themselves). */
  rows(filter: HashFilter, now = nowSeconds()): HashRow[] {
    return this.read(filter, now, false);
  }

  find(digest: Buffer, now = nowSeconds()): HashRowWithCount | null {
    return this.db.transaction(() => {
      const row = this.byDigest.get(digest, this.cutoff(now));
      return row ? { ...row, extraFlags: this.extras.slotsOfRow(row.id) } : null;
    })();
  }

  /** Shingle positions the row of `digest` owns, expired or not; 0 without a row. */
  shingleCount(digest: Buffer): number {
    return this.shingleCountOf.get(digest) ?? 0;
  }

  /**
   * The 32 shingle positions of a hash (u64), null where the hash owns no row: a later hash with the same shingle
   * at the same position takes the row over (rspamd's unique (value, number) index).
   */
  shingles(id: number): (bigint | null)[] {
    const out: (bigint | null)[] = new Array(SHINGLE_COUNT).fill(null);
    const pending = this.pendingRow.get(id);
    if (pending) return new ShingleBlock(pending.shingles).toBigInts();
    for (const row of this.shingleRows.all(id)) {
      const position = Number(row.number);
      if (position >= 0 && position < SHINGLE_COUNT) out[position] = BigInt.asUintN(64, row.value);
    }
    return out;
  }

  /**
   * SQLite's plans for a page: tests assert the primary part walks an index and never sorts (a sort reads the whole
   * table) and the extra-slot part stays off the digests table but for the rows it finds. `extraPlan` forces one of
   * the extra-slot plans; by default the one the data would choose (none when no hash holds the flag in an extra slot).
   */
  queryPlan(filter: HashFilter, extraPlan?: ExtraFlagPlan): PagePlan[] {
    const sql = this.pageStatement(filter, true).source;
    const params = this.pageParams(filter, 0);
    const steps = (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    const plans: PagePlan[] = [{ part: 'primary', steps }];
    if (filter.flag !== null) {
      const chosen = extraPlan ?? this.extras.plan(filter.flag, filter.range, filter.limit);
      if (chosen) plans.push({ part: `extra-${chosen}`, steps: this.extras.explain(chosen, filter.flag, filter.range, filter.limit) });
    }
    return plans;
  }

  /** Throws when the file cannot be read (for /health). */
  ping(): void {
    this.db.prepare('SELECT count(*) FROM sqlite_master').get();
  }

  private read(filter: HashFilter, now: number, withCounts: boolean): HashRow[] {
    return this.db.transaction(() => {
      const primary = this.pageStatement(filter, withCounts).all(...this.pageParams(filter, now)) as HashRow[];
      let rows = primary;
      const extraIds = filter.flag === null ? null : this.extras.ids(filter.flag, filter.range, this.cutoff(now), filter.limit);
      if (extraIds && extraIds.length > 0) {
        const more = this.byIdsStatement(withCounts).all(JSON.stringify(extraIds)) as HashRow[];
        rows = [...primary, ...more].sort((a, b) => Buffer.compare(a.digest, b.digest)).slice(0, filter.limit);
      }
      const slots = this.extras.slots(rows.map((r) => r.id));
      for (const row of rows) row.extraFlags = slots.get(row.id) ?? [];
      return rows;
    })();
  }

  /** Rows by id (found by the extra-slot query), with the same columns as a page. */
  /** Unexpired hashes by row id (any order), with their shingle counts and slots. */
  rowsByIds(ids: readonly number[], now = nowSeconds()): HashRowWithCount[] {
    if (ids.length === 0) return [];
    return this.db.transaction(() => {
      const rows = this.byIdsStatement(true).all(JSON.stringify(ids)).filter((r) => r.time >= this.cutoff(now));
      const slots = this.extras.slots(rows.map((r) => r.id));
      for (const row of rows) row.extraFlags = slots.get(row.id) ?? [];
      return rows;
    })();
  }

  private byIdsStatement(withCounts: boolean): Database.Statement<[string], HashRowWithCount> {
    const key = String(withCounts);
    let statement = this.byIds.get(key);
    if (!statement) {
      const counts = withCounts ? `, ${SHINGLE_COUNT_SQL} AS shingles` : '';
      statement = this.db.prepare(`SELECT ${COLUMNS}${counts} FROM digests WHERE digests.id IN (SELECT value FROM json_each(?))`);
      this.byIds.set(key, statement);
    }
    return statement;
  }

  private cutoff(now: number): number {
    return now - this.expireSeconds;
  }

  private pageParams(filter: HashFilter, now: number): unknown[] {
    const params: unknown[] = [];
    if (filter.flag !== null) params.push(filter.flag);
    if (filter.range.from) params.push(filter.range.from);
    if (filter.range.to) params.push(filter.range.to);
    params.push(this.cutoff(now), filter.limit);
    return params;
  }

  private pageStatement(filter: HashFilter, withCounts: boolean): Database.Statement {
    const where: string[] = [];
    if (filter.flag !== null) where.push('digests.flag = ?');
    if (filter.range.from) where.push(`digests.digest ${filter.range.fromExclusive ? '>' : '>='} CAST(? AS TEXT)`);
    if (filter.range.to) where.push('digests.digest < CAST(? AS TEXT)');
    where.push('+digests.time >= ?');
    const counts = withCounts ? `, ${SHINGLE_COUNT_SQL} AS shingles` : '';
    // Qualified: a bare `digest` in ORDER BY would name the CAST result column, and sort the whole table.
    const sql = `SELECT ${COLUMNS}${counts} FROM digests WHERE ${where.join(' AND ')} ORDER BY digests.digest LIMIT ?`;
    let statement = this.pages.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.pages.set(sql, statement);
    }
    return statement;
  }
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
