import { auditRowOfUpdate, type AuditContext, type AuditRow } from '../../audit/audit-row.js';
import type { Redis } from 'ioredis';
import type { RedisAddress } from '../../config/redis-address.js';
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
import { RedisTurnBatch } from '../../common/redis-turn-batch.js';
import { CheckCommands, CHECK_FIELDS } from './check-commands.js';
import { RedisFuzzyKeys } from './redis-fuzzy-keys.js';
import { compareAndSet, deleteDigest, SLOT_FIELDS } from './redis-fuzzy-scripts.js';
import { ReplicaAck } from './replica-ack.js';
import { RedisServers, type RedisServerState } from './redis-servers.js';

export interface RedisBackendOptions {
  /** The configured Redis (config/redis-address.ts), or a plain URL with the default options. */
  address: RedisAddress | string;
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

/** The slot fields of a digest that is not stored, as HMGET reads them. */
const NO_SLOTS: readonly (string | null)[] = SLOT_FIELDS.map(() => null);
/**
 * Another process writing the same digest between read and write makes a compare-and-set retry; past this many in a
 * row the update fails (and is not acknowledged). Writers inside this process never race: they queue per digest.
 */
const MAX_ATTEMPTS = 16;
/** Updates in flight at most (waiting for Redis or for an earlier update of their digest); more are refused at once. */
const MAX_IN_FLIGHT = 20_000;
/**
 * CHECKs waiting for Redis at most. The UDP plane serves the Redis store on the main thread and never waits for Redis,
 * but each CHECK in flight holds its datagram and reply closure: a Redis that accepts and stops answering would pile
 * them up for a whole `timeout`. Past the bound a CHECK is answered a miss at once (counted as `overloaded`).
 */
const MAX_CHECKS_IN_FLIGHT = 10_000;

/**
 * The scale-out store: rspamd's Redis layout (3.4's F/V/C, 4.x's extra slots and S), so several fuzzyd instances and
 * rspamd fuzzy workers of any generation can share one Redis. CHECK costs one round trip (the digest lookup and, with
 * shingles, the 32 slot lookups leave in one write) plus one more on a shingle hit; fuzzyd encodes those commands and
 * the update scripts itself and sends each event-loop turn's at once (redis-turn-batch.ts, docs/spec/redis.md §5). An update reads the slots,
 * decides with update-rule.ts and applies by compare-and-set; it is acknowledged when Redis has applied it (and, with
 * `wait_replicas`, when that many replicas hold it), durable as far as the Redis server's persistence settings
 * (appendonly/appendfsync) make it. Updates always go to the primary; CHECKs and STAT to a `read_servers` replica when
 * one is connected (redis-servers.ts). No Redis answering makes a CHECK a miss within `timeout` and an update an error,
 * never a wait: every command fails at once while disconnected (redis-client.ts).
 */
export class RedisBackend implements FuzzyBackend {
  readonly kind = 'redis' as const;
  private readonly keys: RedisFuzzyKeys;
  private readonly checks: CheckCommands;
  /** The last queued update per digest (latin1 key), so this process's updates of one digest run one at a time. */
  private readonly tails = new Map<string, Promise<unknown>>();
  private inFlight = 0;
  private checksInFlight = 0;
  /** The primary: every update, and the read each compare-and-set starts from. */
  private readonly redis: Redis;
  /** The primary's commands encoded here (CHECK on the primary, every compare-and-set), one write per turn. */
  private readonly primaryBatch: RedisTurnBatch;
  private readonly replicaAck: ReplicaAck;

  private constructor(
    private readonly servers: RedisServers,
    private readonly options: RedisBackendOptions,
  ) {
    this.keys = new RedisFuzzyKeys(options.prefix);
    this.checks = new CheckCommands(options.prefix);
    this.redis = servers.primary;
    this.primaryBatch = RedisTurnBatch.of(servers.primary);
    const a = typeof options.address === 'string' ? null : options.address;
    // WAIT gets half the command timeout, so a late replica is told as such, not as a timed-out command.
    this.replicaAck = new ReplicaAck(servers.primary, a?.waitReplicas ?? 0, Math.max(1, Math.floor((a?.timeoutMs || 1000) / 2)));
  }

  static async open(options: RedisBackendOptions): Promise<RedisBackend> {
    const servers = new RedisServers(options.address, options.onError);
    try {
      await servers.connect();
    } catch (err) {
      await servers.close();
      throw err;
    }
    return new RedisBackend(servers, options);
  }

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  /** Which Redis is the primary and which replicas answer a PING now (/health, the dashboard's overview). */
  redisServers(): Promise<RedisServerState[]> {
    return this.servers.probe();
  }

  async health(): Promise<StoreHealth> {
    const [primary] = await this.servers.probe();
    return primary.reachable
      ? { writable: true, detail: `redis primary ${primary.address} (${primary.via}), prefix ${this.options.prefix}` }
      : { writable: false, detail: `Redis primary ${primary.address} (${primary.via}) is not answering (connection ${this.redis.status}): CHECKs answer misses unless a replica answers, writes are refused` };
  }

  check(digest: Digest, shingles: ShingleBlock | null): Promise<CheckResult> {
    if (this.checksInFlight >= MAX_CHECKS_IN_FLIGHT) {
      return Promise.reject(new StoreOverloadedError(`${this.checksInFlight} CHECKs waiting for Redis`));
    }
    this.checksInFlight++;
    return this.lookup(digest, shingles).finally(() => this.checksInFlight--);
  }

  private async lookup(digest: Digest, shingles: ShingleBlock | null): Promise<CheckResult> {
    const reader = RedisTurnBatch.of(this.servers.reader());
    // Both commands leave in this turn's one write: one round trip for the digest and its 32 slots.
    const [fields, owners] = await Promise.all([
      reader.send<(string | null)[]>(this.checks.readDigest(digest)),
      shingles ? reader.send<(Buffer | null)[]>(this.checks.readSlots(shingles)) : null,
    ]);
    const direct = fields ? toHit(fields, 1, digest) : null;
    if (direct || !owners) return direct ?? miss(digest);
    const { winner, slots } = voteDigests(owners);
    if (!winner || !isShingleHit(slots)) return miss(digest);
    const stored = await reader.send<(string | null)[]>(this.checks.readDigest(winner));
    return (stored && toHit(stored, shingleProbability(slots), winner)) ?? miss(digest);
  }

  async get(digest: Digest): Promise<StoredHash | null> {
    const fields = await this.redis.hmget(this.keys.digest(digest), ...CHECK_FIELDS);
    const flags = slotsOf(fields);
    if (flags.length === 0) return null;
    const [primary, ...extraFlags] = flags;
    return { digest, flag: primary.flag, value: primary.value, extraFlags, time: Number(fields[SLOT_FIELDS.length] ?? 0) };
  }

  async count(): Promise<number> {
    return Math.max(0, Number((await this.servers.reader().get(this.keys.count)) ?? 0));
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
      const removed = await deleteDigest.run(this.primaryBatch, [key, this.keys.count, ...slotKeys], [op.digest]);
      await this.replicaAck.confirm();
      return { status: removed ? 'deleted' : 'not-found', hash: null };
    }
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // A WRITE first bets that the digest is new (most learned hashes are) and skips the read: the compare-and-set
      // applies only if the slots are indeed empty, and otherwise answers 'retry', and the next attempt reads them.
      const seen = attempt === 0 && op.kind === 'write' ? NO_SLOTS : await this.redis.hmget(key, ...SLOT_FIELDS);
      const current = slotsOf(seen);
      if (op.kind === 'set' && current.length === 0) return { status: 'not-found', hash: null };
      const outcome: RuleOutcome =
        op.kind === 'write' ? applyWrite(current, op.flag, op.value, op.rule, op.weak) : applyEdit(current, op);
      const added = outcome.status === 'added';
      const shingles = shinglesStored(op, outcome.status);
      const slots = shingles ? this.keys.slotsAndShingleSet(shingles) : null;
      const created = await compareAndSet.run<string | null>(this.primaryBatch, [key, this.keys.count, ...(slots?.keys ?? [])], [
        seen.map((f) => f ?? '').join('|'),
        JSON.stringify(outcome.flags.flatMap((s) => [String(s.flag), String(s.value)])),
        String(Math.floor(Date.now() / 1000)),
        String(Math.ceil(this.options.expireSeconds)),
        op.digest,
        slots?.shingleSet ?? '',
        added ? '1' : '0',
      ]);
      if (created === 'retry') continue;
      await this.replicaAck.confirm();
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
    await this.servers.close();
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
