import { Redis } from 'ioredis';
import { SHINGLE_BLOCK_BYTES, SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';
import type { Digest } from '../../../../shared/protocol/types.js';
import type { CheckResult, FuzzyBackend, StoredHash, UpdateOp, UpdateResult, UpdateStatus } from '../fuzzy-backend.js';
import { isShingleHit, shingleProbability } from '../shingle-vote.js';
import { RedisFuzzyKeys } from './redis-fuzzy-keys.js';
import { type FuzzyRedisClient, registerFuzzyScripts } from './redis-fuzzy-scripts.js';

export interface RedisBackendOptions {
  url: string;
  prefix: string;
  expireSeconds: number;
  onError?: (err: Error) => void;
}

/**
 * The scale-out store: rspamd 3.4's Redis layout, so several fuzzyd instances (and rspamd fuzzy workers) can share
 * one Redis. CHECK costs one round trip (the digest lookup and, with shingles, the 32 slot lookups are pipelined
 * together) plus one more on a shingle hit. An update is acknowledged when Redis has applied it; how durable that
 * is depends on the Redis server's persistence settings (appendonly/appendfsync).
 */
export class RedisBackend implements FuzzyBackend {
  readonly kind = 'redis' as const;
  private readonly keys: RedisFuzzyKeys;

  private constructor(
    private readonly redis: FuzzyRedisClient,
    private readonly options: RedisBackendOptions,
  ) {
    this.keys = new RedisFuzzyKeys(options.prefix);
  }

  static async open(options: RedisBackendOptions): Promise<RedisBackend> {
    const client = new Redis(options.url, {
      enableAutoPipelining: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
    });
    client.on('error', (err: Error) => options.onError?.(err));
    await client.connect();
    return new RedisBackend(registerFuzzyScripts(client), options);
  }

  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async check(digest: Digest, shingles: ShingleBlock | null): Promise<CheckResult> {
    const pipeline = this.redis.pipeline().hmget(this.keys.digest(digest), 'V', 'F', 'C');
    if (shingles) pipeline.mgetBuffer(...this.keys.slots(shingles));
    const replies = await pipeline.exec();
    if (!replies) throw new Error('Redis pipeline aborted');
    const [err, fields] = replies[0] as [Error | null, (string | null)[]];
    if (err) throw err;
    const direct = toHit(fields, 1, digest);
    if (direct || !shingles) return direct ?? miss(digest);
    const [slotErr, owners] = replies[1] as [Error | null, (Buffer | null)[]];
    if (slotErr) throw slotErr;
    const { winner, slots } = voteOwners(owners);
    if (!winner || !isShingleHit(slots)) return miss(digest);
    const stored = await this.redis.hmget(this.keys.digest(winner), 'V', 'F', 'C');
    return toHit(stored, shingleProbability(slots), winner) ?? miss(digest);
  }

  async get(digest: Digest): Promise<StoredHash | null> {
    const [v, f, c] = await this.redis.hmget(this.keys.digest(digest), 'V', 'F', 'C');
    if (v === null || f === null) return null;
    return { digest, flag: Number(f), value: Number(v), time: Number(c ?? 0) };
  }

  async count(): Promise<number> {
    return Math.max(0, Number((await this.redis.get(this.keys.count)) ?? 0));
  }

  async update(op: UpdateOp): Promise<UpdateResult> {
    const key = this.keys.digest(op.digest);
    if (op.kind === 'write') {
      const now = Math.floor(Date.now() / 1000);
      const slotKeys = op.shingles ? this.keys.slots(op.shingles) : [];
      const [status, v, c] = await this.redis.fuzzyWrite(
        2 + slotKeys.length,
        key,
        this.keys.count,
        ...slotKeys,
        String(op.flag),
        String(op.value),
        String(now),
        String(Math.ceil(this.options.expireSeconds)),
        op.digest,
        op.shingles ? op.shingles.bytes : '',
      );
      return { status: status as UpdateStatus, hash: { digest: op.digest, flag: op.flag, value: Number(v), time: Number(c) } };
    }
    if (op.kind === 'del') {
      const stored = await this.redis.hgetBuffer(key, 'S');
      const slotKeys = stored?.length === SHINGLE_BLOCK_BYTES ? this.keys.slots(new ShingleBlock(stored)) : [];
      const removed = await this.redis.fuzzyDelete(2 + slotKeys.length, key, this.keys.count, ...slotKeys, op.digest);
      return { status: removed ? 'deleted' : 'not-found', hash: null };
    }
    const set = await this.redis.fuzzySet(key, op.flag === undefined ? '' : String(op.flag), op.value === undefined ? '' : String(op.value));
    if (!set) return { status: 'not-found', hash: null };
    const [oldFlag, f, v, c] = set;
    return {
      status: oldFlag !== f ? 'reflagged' : 'updated',
      hash: { digest: op.digest, flag: Number(f), value: Number(v), time: Number(c ?? 0) },
    };
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

function toHit(fields: (string | null)[], prob: number, digest: Digest): CheckResult | null {
  const [v, f, c] = fields;
  if (v === null || f === null) return null;
  return { prob, value: Number(v), flag: Number(f), digest, ts: Number(c ?? 0) };
}

function miss(digest: Digest): CheckResult {
  return { prob: 0, value: 0, flag: 0, digest, ts: 0 };
}

/** The digest owning the most of the 32 slots; ties go to the digest that sorts first, as rspamd's Redis vote. */
export function voteOwners(owners: readonly (Buffer | null)[]): { winner: Buffer | null; slots: number } {
  const counts = new Map<string, number>();
  for (let i = 0; i < SHINGLE_COUNT; i++) {
    const owner = owners[i];
    if (owner) counts.set(owner.toString('latin1'), (counts.get(owner.toString('latin1')) ?? 0) + 1);
  }
  let best: string | null = null;
  let slots = 0;
  for (const [owner, n] of counts) {
    if (n > slots || (n === slots && best !== null && owner < best)) {
      best = owner;
      slots = n;
    }
  }
  return { winner: best === null ? null : Buffer.from(best, 'latin1'), slots };
}
