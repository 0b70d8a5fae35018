import { auditRowOfUpdate, type AuditContext, type AuditRow } from '../../audit/audit-row.js';
import { createRedisClient } from '../../common/redis-client.js';
import { MAX_FLAGS_PER_HASH, SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import type { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';
import type { Digest, FlagValue } from '../../../../shared/protocol/types.js';
import {
  type CheckResult,
  type FuzzyBackend,
  type StoreHealth,
  type StoredHash,
  StoreOverloadedError,
  type UpdateOp,
  type UpdateOptions,
  type UpdateResult,
} from '../fuzzy-backend.js';
import { isShingleHit, shingleProbability, voteDigests } from '../shingle-vote.js';
import { applyEdit, applyWrite, type RuleOutcome, shinglesStored } from '../update-rule.js';
import { RedisFuzzyKeys } from './redis-fuzzy-keys.js';
import { type FuzzyRedisClient, registerFuzzyScripts, SLOT_FIELDS } from './redis-fuzzy-scripts.js';

export interface RedisBackendOptions {
  url: string;
  prefix: string;
  expireSeconds: number;
  onError?: (err: Error) => void;
  /**
   * Where the audit rows of updates made through this process go (audit-log.ts, in FUZZYD_DB): Redis has no
   * transaction shared with that file, so a row is appended once its update is applied. Writes made by rspamd's own
   * workers straight to the same Redis are not seen, so not recorded.
   */
  audit?: (row: AuditRow) => void;
}

/** The fields a read needs: the 8 (flag, value) slots, then the creation time. Not S, which is ~700 bytes. */
const READ_FIELDS = [...SLOT_FIELDS, 'C'];
/**
 * Another process writing the same digest between read and write makes a compare-and-set retry; past this many in a
 * row the update fails (and is not acknowledged). Writers inside this process never race: they queue per digest.
 */
const MAX_ATTEMPTS = 16;
/** Updates in flight at most (waiting for Redis or for an earlier update of their digest); more are refused at once. */
const MAX_IN_FLIGHT = 20_000;

/**
 * The scale-out store: rspamd's Redis layout (3.4's F/V/C, 4.x's extra slots and S), so several fuzzyd instances and
 * rspamd fuzzy workers of any generation can share one Redis. CHECK costs one round trip (the digest lookup and, with
 * shingles, the 32 slot lookups are pipelined together) plus one more on a shingle hit. An update reads the slots,
 * decides with update-rule.ts and applies by compare-and-set; it is acknowledged when Redis has applied it, durable
 * as far as the Redis server's persistence settings (appendonly/appendfsync) make it.
 */
export class RedisBackend implements FuzzyBackend {
  readonly kind = 'redis' as const;
  private readonly keys: RedisFuzzyKeys;
  /** The last queued update per digest (latin1 key), so this process's updates of one digest run one at a time. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private inFlight = 0;

  private constructor(
    private readonly redis: FuzzyRedisClient,
    private readonly options: RedisBackendOptions,
  ) {
    this.keys = new RedisFuzzyKeys(options.prefix);
  }

  static async open(options: RedisBackendOptions): Promise<RedisBackend> {
    const client = createRedisClient(options.url, { name: 'fuzzyd-store', autoPipelining: true, onError: options.onError });
    await client.connect();
    return new RedisBackend(registerFuzzyScripts(client), options);
  }

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  health(): StoreHealth {
    return this.ready
      ? { writable: true, detail: `redis, prefix ${this.options.prefix}` }
      : { writable: false, detail: `Redis connection is ${this.redis.status}` };
  }

  async check(digest: Digest, shingles: ShingleBlock | null): Promise<CheckResult> {
    const pipeline = this.redis.pipeline().hmget(this.keys.digest(digest), ...READ_FIELDS);
    if (shingles) pipeline.mgetBuffer(...this.keys.slots(shingles));
    const replies = await pipeline.exec();
    if (!replies) throw new Error('Redis pipeline aborted');
    const [err, fields] = replies[0] as [Error | null, (string | null)[]];
    if (err) throw err;
    const direct = toHit(fields, 1, digest);
    if (direct || !shingles) return direct ?? miss(digest);
    const [slotErr, owners] = replies[1] as [Error | null, (Buffer | null)[]];
    if (slotErr) throw slotErr;
    const { winner, slots } = voteDigests(owners);
    if (!winner || !isShingleHit(slots)) return miss(digest);
    const stored = await this.redis.hmget(this.keys.digest(winner), ...READ_FIELDS);
    return toHit(stored, shingleProbability(slots), winner) ?? miss(digest);
  }

  async get(digest: Digest): Promise<StoredHash | null> {
    const fields = await this.redis.hmget(this.keys.digest(digest), ...READ_FIELDS);
    const flags = slotsOf(fields);
    if (flags.length === 0) return null;
    const [primary, ...extraFlags] = flags;
    return { digest, flag: primary.flag, value: primary.value, extraFlags, time: Number(fields[SLOT_FIELDS.length] ?? 0) };
  }

  async count(): Promise<number> {
    return Math.max(0, Number((await this.redis.get(this.keys.count)) ?? 0));
  }

  acceptsUpdates(): boolean {
    return this.inFlight < MAX_IN_FLIGHT;
  }

  update(op: UpdateOp, options: UpdateOptions = {}): Promise<UpdateResult> {
    if (!this.acceptsUpdates()) {
      return Promise.reject(new StoreOverloadedError(`${this.inFlight} Redis updates in flight`));
    }
    this.inFlight++;
    const id = op.digest.toString('latin1');
    const run = (this.tails.get(id) ?? Promise.resolve())
      .then(() => this.apply(op))
      .then((result) => this.audited(op, result, options.audit))
      .finally(() => this.inFlight--);
    const tail = run.catch(() => undefined);
    this.tails.set(id, tail);
    void tail.then(() => {
      if (this.tails.get(id) === tail) this.tails.delete(id);
    });
    return run;
  }

  private audited(op: UpdateOp, result: UpdateResult, context: AuditContext | undefined): UpdateResult {
    if (context && this.options.audit) {
      // A DEL's result carries no hash: the row says which digest went, not which flags it had.
      const row = auditRowOfUpdate(op, { status: result.status, flag: result.hash?.flag ?? 0, value: result.hash?.value ?? 0 }, context, Date.now());
      if (row) this.options.audit(op.kind === 'del' ? { ...row, flag: null, value: null } : row);
    }
    return result;
  }

  private async apply(op: UpdateOp): Promise<UpdateResult> {
    const key = this.keys.digest(op.digest);
    if (op.kind === 'del') {
      const stored = await this.redis.hgetBuffer(key, 'S');
      const slotKeys = this.keys.slotsFromShingleSet(stored);
      const removed = await this.redis.fuzzyDelete(2 + slotKeys.length, key, this.keys.count, ...slotKeys, op.digest);
      return { status: removed ? 'deleted' : 'not-found', hash: null };
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const seen = await this.redis.hmget(key, ...SLOT_FIELDS);
      const current = slotsOf(seen);
      if (op.kind === 'set' && current.length === 0) return { status: 'not-found', hash: null };
      const outcome: RuleOutcome =
        op.kind === 'write' ? applyWrite(current, op.flag, op.value, op.rule, op.weak) : applyEdit(current, op);
      const added = outcome.status === 'added';
      const shingles = shinglesStored(op, outcome.status);
      const slotKeys = shingles ? this.keys.slots(shingles) : [];
      const created = await this.redis.fuzzyCompareAndSet(
        2 + slotKeys.length,
        key,
        this.keys.count,
        ...slotKeys,
        seen.map((f) => f ?? '').join('|'),
        JSON.stringify(outcome.flags.flatMap((s) => [String(s.flag), String(s.value)])),
        String(Math.floor(Date.now() / 1000)),
        String(Math.ceil(this.options.expireSeconds)),
        op.digest,
        shingles ? RedisFuzzyKeys.shingleSet(shingles) : '',
        added ? '1' : '0',
      );
      if (created === 'retry') continue;
      const [primary, ...extraFlags] = outcome.flags;
      return {
        status: outcome.status,
        hash: { digest: op.digest, flag: primary.flag, value: primary.value, extraFlags, time: Number(created ?? 0) },
        shingles: shingles ? SHINGLE_COUNT : 0,
      };
    }
    throw new Error(`update of a digest kept racing with other writers (${MAX_ATTEMPTS} attempts)`);
  }

  async close(): Promise<void> {
    // Everything queued is committed first (the FuzzyBackend contract): an update is a read, then a compare-and-set, and
    // quitting between the two would fail an update already taken.
    while (this.tails.size > 0) await Promise.all(this.tails.values());
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The (flag, value) slots present, primary first, in slot order: a slot counts only with both fields, as in rspamd. */
function slotsOf(fields: readonly (string | null)[]): FlagValue[] {
  const flags: FlagValue[] = [];
  for (let i = 0; i < MAX_FLAGS_PER_HASH; i++) {
    const f = fields[2 * i];
    const v = fields[2 * i + 1];
    if (f !== null && f !== undefined && v !== null && v !== undefined) flags.push({ flag: Number(f), value: Number(v) });
  }
  return flags;
}

function toHit(fields: (string | null)[], prob: number, digest: Digest): CheckResult | null {
  // rspamd counts a hit only when the primary slot is complete (fuzzy_backend_redis.c).
  if (fields[0] === null || fields[1] === null) return null;
  const [primary, ...extraFlags] = slotsOf(fields);
  return { prob, value: primary.value, flag: primary.flag, extraFlags, digest, ts: Number(fields[SLOT_FIELDS.length] ?? 0) };
}

function miss(digest: Digest): CheckResult {
  return { prob: 0, value: 0, flag: 0, extraFlags: [], digest, ts: 0 };
}
