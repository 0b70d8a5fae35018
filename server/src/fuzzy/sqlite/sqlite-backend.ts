import type Database from 'better-sqlite3';
import type { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';
import type { Digest } from '../../../../shared/protocol/types.js';
import type { Durability } from '../../config/app-config.js';
import {
  type CheckResult,
  type FuzzyBackend,
  type StoreHealth,
  StoreOverloadedError,
  StoreUnavailableError,
  type StoredHash,
  type UpdateOp,
  type UpdateOptions,
  type UpdateResult,
  type WriteBacklog,
} from '../fuzzy-backend.js';
import type { HashCatalogue } from '../hash-catalogue.js';
import { FuzzyIndex } from '../memory/fuzzy-index.js';
import { DEFAULT_QUEUE_LIMITS, GroupCommitQueue } from './writer/group-commit-queue.js';
import { within } from '../../common/within.js';
import { IntegrityCheck } from './integrity/integrity-check-client.js';
import { rebuildIndex } from './index/index-rebuild-client.js';
import { loadIndexSnapshot, saveIndexSnapshot } from './index/index-snapshot.js';
import { applyToIndex } from './index/apply-commits.js';
import { IndexLoading } from './index/index-loading.js';
import type { LoadStats } from './index/sqlite-index-loader.js';
import { SqliteCatalogue } from './catalogue/sqlite-catalogue.js';
import { SqliteHashQueries } from './catalogue/sqlite-hash-queries.js';
import { ShingleOwners } from './catalogue/shingle-owners.js';
import { openFuzzyDatabase } from './sqlite-schema.js';
import type { WriterBacklog, WriterResult } from './writer/writer-protocol.js';
import { WriterClient } from './writer/writer-client.js';

export interface SqliteBackendOptions {
  dbPath: string;
  durability: Durability;
  expireSeconds: number;
  /** Updates waiting for the next group commit at most; more are refused at once (StoreOverloadedError). */
  maxQueuedUpdates?: number;
  /** How often expired hashes are purged (rspamd only purges on busy flushes; fuzzyd also when idle). */
  purgeIntervalMs?: number;
  /** Run `PRAGMA quick_check` in the background after start (default true). */
  integrityCheck?: boolean;
  /** Save the index next to the store at a clean shutdown and map it back in at start (default true). */
  indexSnapshot?: boolean;
  /** Told what happened to the snapshot at shutdown. */
  log?: (message: string) => void;
}

/** How the index came to be at start: rebuilt from rspamd's tables, or mapped in from a snapshot. */
export type IndexSource = LoadStats & { source: 'sqlite' | 'snapshot'; snapshot: string };

const PURGE_BATCH = 5000;
/**
 * How long an admin read waits for the journal to reach rspamd's tables before it answers 503 instead. Shorter than
 * the writer's 5 s busy_timeout, so a listing behind a commit stuck on another process's lock says so.
 */
const SETTLE_TIMEOUT_MS = 4000;
/** The same while the last commit failed (disk full): listings answer 503 at once. */
const SETTLE_TIMEOUT_FAILING_MS = 500;
const HEALTH_TIMEOUT_MS = 1000;
/** Index entries moved per 20 ms while a resize is unfinished: about a millisecond of work. */
const RESIZE_SLICE_ENTRIES = 20_000;
/** Backlogs past these are reported degraded on /health: well beyond what the writer works through between batches. */
const BACKLOG_LIMITS = { journalOps: 300_000, shingleHashes: 600_000 };

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * The embedded store: rspamd's SQLite file as the durable copy, an in-memory index answering CHECK, and a writer
 * thread committing updates in groups. The main-thread connection is for reads by the admin API only.
 */
export class SqliteBackend implements FuzzyBackend {
  readonly kind = 'sqlite' as const;
  private purgeTimer: NodeJS.Timeout | null = null;
  private resizeTimer: NodeJS.Timeout | null = null;
  /** The last commit failed (not merely refused for a full queue). */
  private commitsFailing = false;
  private closed = false;
  private current: FuzzyIndex;
  private loading: IndexLoading | null = null;
  private readonly queue: GroupCommitQueue;
  /** Resolves with how the index was made once it holds the whole store (at once when a snapshot was used). */
  readonly indexed: Promise<IndexSource>;
  /** Hashes in the tables when the store opened, for count() while the index loads. */
  private tableCount = 0;
  /** Why the background rebuild failed: CHECKs then stay answered from the tables. */
  private indexFailure: string | null = null;
  /** Ends a background rebuild when the store closes first. */
  private readonly stopRebuild = new AbortController();
  /** The admin API's reads of the file, on `readDb`. */
  readonly catalogue: HashCatalogue;
  readonly writeBacklog: WriteBacklog;
  private readonly queries: SqliteHashQueries;

  private constructor(
    readonly readDb: Database.Database,
    private readonly writer: WriterClient,
    private readonly options: SqliteBackendOptions,
    /** The background `quick_check` of the file, started when the store opens; null when disabled. */
    readonly integrity: IntegrityCheck | null,
    snapshot: { index: FuzzyIndex; ms: number } | { reason: string },
  ) {
    const limits = { ...DEFAULT_QUEUE_LIMITS, ...(options.maxQueuedUpdates ? { maxDepth: options.maxQueuedUpdates } : {}) };
    this.queue = new GroupCommitQueue(writer, (results, ops) => this.apply(results, ops), undefined, limits);
    this.queries = new SqliteHashQueries(readDb, options.expireSeconds);
    this.catalogue = new SqliteCatalogue(
      this.queries,
      { settle: () => this.settle(), countByFlag: () => this.countByFlag() },
      new ShingleOwners(readDb),
    );
    const queue = this.queue;
    this.writeBacklog = {
      get queued() {
        return queue.depth;
      },
      unapplied: () => this.backlog(),
    };
    if ('index' in snapshot) {
      this.current = snapshot.index;
      const { index, ms } = snapshot;
      this.indexed = Promise.resolve({ hashes: index.size, shingles: index.shingleCount, skipped: 0, ms, source: 'snapshot', snapshot: 'used' });
    } else {
      this.loading = new IndexLoading(readDb, options.expireSeconds);
      this.current = this.loading.recent;
      // The highest row id, not count(*): that reads a whole index (seconds at 10M rows, and an error if it is damaged).
      this.tableCount = Number((readDb.prepare('SELECT max(rowid) AS n FROM digests').get() as { n: number | null }).n ?? 0);
      this.indexed = this.buildInBackground(snapshot.reason);
      // Whoever wants the outcome awaits `indexed`; a rejection nobody awaited (a store closed while loading) is no crash.
      this.indexed.catch(() => {});
    }
  }

  /**
   * Opens the store. With a snapshot of this very file the index is there at once; otherwise it is rebuilt from
   * rspamd's tables on a thread of its own while CHECKs are answered from the tables (`indexed` says when it is done).
   */
  static async open(options: SqliteBackendOptions): Promise<SqliteBackend> {
    // The writer starts first: it creates the schema and finishes any journal and shingle rows a crash left queued.
    const writer = await WriterClient.start(options.dbPath, options.durability);
    // Admin reads only: pages come through the memory map, so a large cache would only hold copies of an export.
    const readDb = openFuzzyDatabase(options.dbPath, { durability: options.durability, cacheMb: 32 });
    const snapshot = options.indexSnapshot === false ? { reason: 'snapshots disabled' } : await loadIndexSnapshot(options.dbPath, options.expireSeconds);
    const integrity = options.integrityCheck === false ? null : new IntegrityCheck(options.dbPath);
    const backend = new SqliteBackend(readDb, writer, options, integrity, snapshot);
    backend.schedulePurge();
    backend.finishIndexResizes();
    return backend;
  }

  /** The index CHECKs are answered from; while it loads, an index of the commits since start that says so. */
  get index(): FuzzyIndex {
    return this.current;
  }

  /** Whether the index holds the whole store yet. */
  get indexComplete(): boolean {
    return this.loading === null;
  }

  check(digest: Digest, shingles: ShingleBlock | null): CheckResult | Promise<CheckResult> {
    if (!this.loading) return this.current.check(digest, shingles, nowSeconds());
    try {
      return this.loading.tables.check(digest, shingles, nowSeconds());
    } catch (err) {
      // An SQLite error (a damaged page) fails this CHECK the way a failing backend does: a miss, counted and logged.
      return Promise.reject(err as Error);
    }
  }

  get(digest: Digest): StoredHash | null {
    if (this.loading) return this.loading.tables.get(digest, nowSeconds());
    return this.current.get(digest, nowSeconds());
  }

  /**
   * While the index loads, an upper bound: the tables' highest row id at start plus the hashes added since (deletes
   * not subtracted).
   */
  count(): number {
    return this.loading ? this.tableCount + this.current.size : this.current.size;
  }

  /** Stored hashes per flag (expired ones not yet purged included), from the index (from the tables while it loads). */
  private countByFlag(): { flag: number; count: number }[] {
    if (!this.loading) return this.current.countByFlag();
    return this.readDb.prepare('SELECT flag, count(*) AS count FROM digests GROUP BY flag ORDER BY flag').all() as { flag: number; count: number }[];
  }

  /** A group commit is with the writer thread now. */
  get commitInProgress(): boolean {
    return this.queue.committing;
  }

  acceptsUpdates(): boolean {
    return this.queue.hasRoom;
  }

  /**
   * Resolves once the op is durably committed, with the hash as the journal leaves it. Its shingle count, when the
   * writer does not know it (the hash's shingles are its table row's), is read from that row on request: shingles
   * change only with an add, so the row already holds them, journal applied or not.
   */
  async update(op: UpdateOp, options: UpdateOptions = {}): Promise<UpdateResult> {
    if (this.closed) throw new Error('the store is closed');
    let r: WriterResult;
    try {
      r = await this.queue.enqueue(op, options.audit);
      this.commitsFailing = false;
    } catch (err) {
      if (!(err instanceof StoreOverloadedError)) this.commitsFailing = true;
      throw err;
    }
    if (r.status === 'deleted' || r.status === 'not-found') return { status: r.status, hash: null };
    const hash = { digest: op.digest, flag: r.flag, value: r.value, time: r.time, extraFlags: r.extraFlags };
    const shingles = r.shingles ?? (options.countShingles ? this.queries.shingleCount(op.digest) : null);
    return shingles === null ? { status: r.status, hash } : { status: r.status, hash, shingles };
  }

  /** Acknowledged work not yet in rspamd's tables (it is durable in fuzzyd's own tables of the same file). */
  backlog(): Promise<WriterBacklog> {
    return this.writer.backlog();
  }

  /**
   * Resolves once every update acknowledged so far is applied to rspamd's tables, so a read of the tables (the admin
   * API's listings) sees them; acknowledged writes reach the tables in the background otherwise.
   */
  async settle(): Promise<void> {
    if (this.closed) return;
    // Every acknowledged update's batch went to the writer before this request, which it answers in order. When the
    // journal cannot be applied (disk full), the caller gets a clear 503 instead of a request that hangs.
    // While commits fail, the journal surely cannot be applied either: a short wait, in case it healed meanwhile.
    const wait = this.commitsFailing ? SETTLE_TIMEOUT_FAILING_MS : SETTLE_TIMEOUT_MS;
    await within(this.writer.request({ type: 'settle' }), wait, () => new StoreUnavailableError('the store is not applying its writes (see /health)'));
  }

  /** Not writable while commits or the writer's background work fail, or while its backlogs are far past their limits. */
  async health(): Promise<StoreHealth> {
    if (this.closed || !this.writer.alive) return { writable: false, detail: 'the SQLite writer thread is not running' };
    // The writer thread answers in order, so a thread stuck on a lock answers nothing: that is an answer too.
    const backlog = await within(this.writer.backlog(), HEALTH_TIMEOUT_MS, () => new StoreUnavailableError('the SQLite writer thread does not answer (a lock?)')).catch(
      (err: Error) => err,
    );
    if (backlog instanceof Error) return { writable: false, detail: backlog.message };
    const integrity = this.integrity?.state;
    if (integrity?.state === 'corrupt') return { writable: false, detail: `the file is damaged (quick_check): ${integrity.problems.join('; ')}` };
    if (backlog.failure) return { writable: false, detail: `writes fail: ${backlog.failure}` };
    if (backlog.journalOps > BACKLOG_LIMITS.journalOps || backlog.shingleHashes > BACKLOG_LIMITS.shingleHashes) {
      return { writable: false, detail: `backlog over its bound: ${backlog.journalOps} journal ops, ${backlog.shingleHashes} shingle hashes` };
    }
    const indexing = this.indexFailure
      ? `, the index could not be built (${this.indexFailure}): CHECKs answered from the tables`
      : this.loading
        ? ', index loading (CHECKs answered from the tables)'
        : '';
    return { writable: true, detail: `sqlite, ${this.count()} hashes, ${backlog.journalOps} journal ops waiting${indexing}` };
  }

  /** Deletes expired hashes now (the timer does it every `purgeIntervalMs`); returns how many went. */
  async purgeExpired(now = nowSeconds()): Promise<number> {
    // The writer skips hashes with updates still in its journal; settling first leaves only those newer than this.
    await this.settle();
    let total = 0;
    for (;;) {
      const results = await this.writer.request({ type: 'purge', now, expireSeconds: this.options.expireSeconds, limit: PURGE_BATCH });
      this.apply(results, null);
      total += results.length;
      if (results.length < PURGE_BATCH) return total;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    if (this.resizeTimer) clearInterval(this.resizeTimer);
    this.stopRebuild.abort(new Error('the store closed before its index was built'));
    await this.integrity?.stop();
    await this.queue.drain();
    await this.writer.close();
    this.readDb.close();
    // An index still loading is not the store's content: the next start rebuilds it instead.
    if (this.options.indexSnapshot !== false && !this.loading) {
      // Saved first, then told: `log?.(await save…)` would skip the save itself when nobody listens.
      const saved = await saveIndexSnapshot(this.options.dbPath, this.current);
      this.options.log?.(saved);
    }
  }

  /** Commit results go into the index; while it loads, into `recent`, and are kept for the rebuilt one. */
  private apply(results: WriterResult[], ops: UpdateOp[] | null): void {
    applyToIndex(this.current, results, ops);
    this.loading?.record(results, ops);
  }

  /**
   * Rebuilds the index from the tables (one read transaction: the tables as of one moment), replays every commit
   * since the store opened onto it, in order, and puts it in place of `recent`. Both run on this thread with no
   * await between them, so no commit falls between the replay and the switch.
   */
  private async buildInBackground(why: string): Promise<IndexSource> {
    let rebuilt: Awaited<ReturnType<typeof rebuildIndex>>;
    try {
      rebuilt = await rebuildIndex(this.options.dbPath, this.options.expireSeconds, this.stopRebuild.signal);
    } catch (err) {
      if (!this.closed) this.indexFailure = (err as Error).message;
      throw err;
    }
    const { index, stats } = rebuilt;
    if (this.closed) return { ...stats, source: 'sqlite', snapshot: why };
    this.loading!.replayOnto(index);
    const retired = this.current;
    this.current = index;
    this.loading = null;
    retired.retire();
    return { ...stats, source: 'sqlite', snapshot: why };
  }

  /**
   * Index resizes left half done by a burst of writes are finished in slices of about a millisecond every 20 ms, so
   * the memory of the tables they replace is given back soon, at no noticeable cost to CHECKs.
   */
  private finishIndexResizes(): void {
    this.resizeTimer = setInterval(() => this.current.finishResizes(RESIZE_SLICE_ENTRIES), 20);
    this.resizeTimer.unref();
  }

  private schedulePurge(): void {
    this.purgeTimer = setTimeout(() => {
      this.purgeExpired()
        .catch(() => undefined)
        .finally(() => {
          if (!this.closed) this.schedulePurge();
        });
    }, this.options.purgeIntervalMs ?? 60_000);
    this.purgeTimer.unref();
  }
}
