import type Database from 'better-sqlite3';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import { SHINGLE_COUNT } from '../../../shared/protocol/constants.js';
import type { DigestRange } from './hash-range.js';

export interface HashRow {
  id: number;
  digest: Buffer;
  flag: number;
  value: number;
  time: number;
}

export interface HashRowWithCount extends HashRow {
  shingles: number;
}

export interface HashFilter {
  range: DigestRange;
  flag: number | null;
  limit: number;
}

const COLUMNS = 'id, CAST(digest AS BLOB) AS digest, flag, value, time';

/**
 * Shingle rows of a hash: those in rspamd's table plus, for a hash written moments ago, the 32 still queued in
 * fuzzyd_pending_shingles (see server/src/fuzzy/sqlite/pending-shingles.ts).
 */
const SHINGLE_COUNT_SQL = `((SELECT count(*) FROM shingles s WHERE s.digest_id = digests.id)
  + ${SHINGLE_COUNT} * (SELECT count(*) FROM fuzzyd_pending_shingles p WHERE p.digest_id = digests.id))`;


/**
 * Read queries on rspamd's `digests` and `shingles` tables for the admin API. Never writes them (all writes go
 * through FuzzyBackend.update and the writer thread); only adds indexes of its own, named `fuzzyd_*`.
 *
 * Keyset pages walk index `d` (digest) or `fuzzyd_digests_flag` (flag, digest). `+time` keeps the expiry filter
 * from tempting the planner into index `t`, which would sort the whole table for every page.
 */
export class SqliteHashQueries {
  private readonly pages = new Map<string, Database.Statement>();
  private readonly byDigest: Database.Statement<[Buffer, number], HashRowWithCount>;
  private readonly shingleRows: Database.Statement<[number], { number: bigint; value: bigint }>;

  private readonly pendingRow: Database.Statement<[number], { shingles: Buffer }>;

  constructor(
    private readonly db: Database.Database,
    private readonly expireSeconds: number,
  ) {
    this.ensureIndexes();
    this.byDigest = db.prepare(
      `SELECT ${COLUMNS}, ${SHINGLE_COUNT_SQL} AS shingles
       FROM digests WHERE digests.digest = CAST(? AS TEXT) AND +digests.time >= ?`,
    );
    this.shingleRows = db.prepare('SELECT number, value FROM shingles WHERE digest_id = ?').safeIntegers(true) as never;
    this.pendingRow = db.prepare('SELECT shingles FROM fuzzyd_pending_shingles WHERE digest_id = ?');
  }

  /** Idempotent; on a large existing file the first start spends a moment building it. */
  private ensureIndexes(): void {
    this.db.exec('CREATE INDEX IF NOT EXISTS fuzzyd_digests_flag ON digests(flag, digest)');
  }

  /** Hashes in digest order within the filter, with their shingle counts; expired ones are left out. */
  page(filter: HashFilter, now = nowSeconds()): HashRowWithCount[] {
    const statement = this.pageStatement(filter, true);
    return statement.all(...this.pageParams(filter, now)) as HashRowWithCount[];
  }

  /** Like page() without the shingle counts (export reads the shingles themselves). */
  rows(filter: HashFilter, now = nowSeconds()): HashRow[] {
    const statement = this.pageStatement(filter, false);
    return statement.all(...this.pageParams(filter, now)) as HashRow[];
  }

  find(digest: Buffer, now = nowSeconds()): HashRowWithCount | null {
    return this.byDigest.get(digest, this.cutoff(now)) ?? null;
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

  /** SQLite's plan for a page query: tests assert it walks an index and never sorts (a sort reads the whole table). */
  queryPlan(filter: HashFilter): string[] {
    const sql = this.pageStatement(filter, true).source;
    const params = this.pageParams(filter, 0);
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  }

  /** Throws when the file cannot be read (for /health). */
  ping(): void {
    this.db.prepare('SELECT count(*) FROM sqlite_master').get();
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
