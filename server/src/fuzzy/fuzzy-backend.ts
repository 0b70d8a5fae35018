import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { Digest, FlagValue } from '../../../shared/protocol/types.js';
import type { HashCatalogue } from './hash-catalogue.js';
import type { FuzzyIndex } from './memory/fuzzy-index.js';
import type { FlagEdit, WriteRule } from './update-rule.js';
import type { AuditContext } from '../audit/audit-row.js';

/** What a CHECK found (spec/fuzzy-protocol.md §5.3). */
export interface CheckResult {
  /** 1 for a direct hit, slots/32 for a shingle hit, 0 for a miss. */
  prob: number;
  /** The primary slot (the one a 3.x client sees). */
  value: number;
  flag: number;
  /** The hash's other slots, in slot order (rspamd ≥ 4.0 multi-flag); empty on a miss or a single-flag hash. */
  extraFlags: readonly FlagValue[];
  /** The stored digest on a hit (differs from the request's on a shingle hit); the request digest on a miss. */
  digest: Digest;
  /** Unix seconds of the last write of the matched hash, 0 on a miss (this is what the reply carries). */
  ts: number;
  /**
   * Unix seconds of the matched hash's first write, where the store keeps it apart from `ts` (SQLite; Redis's `ts`
   * is its creation time `C` already). rspamd's `delay` counts from it (docs/spec/access-controls.md §5); never sent.
   */
  created?: number;
}

/**
 * A change to the store. `write` is rspamd's WRITE under the rule of the client's generation (update-rule.ts); `del`
 * removes the digest with all its flags; `set` is the admin API's absolute edit.
 */
export type UpdateOp =
  | {
      kind: 'write';
      digest: Digest;
      flag: number;
      value: number;
      shingles: ShingleBlock | null;
      rule: WriteRule;
      /** The flag is in `weak_ids`: it never displaces another (update-rule.ts). */
      weak?: boolean;
    }
  | { kind: 'del'; digest: Digest }
  | ({ kind: 'set'; digest: Digest } & FlagEdit);

export type UpdateStatus = 'added' | 'updated' | 'reflagged' | 'deleted' | 'not-found';

/** The outcome of one committed UpdateOp. */
export interface UpdateResult {
  status: UpdateStatus;
  /** The hash as stored after the change; null when it no longer exists. */
  hash: StoredHash | null;
  /**
   * Shingle positions the hash owns after the change (the admin API's `shingles`). Always there when the change
   * itself settles it (an add: 32 with shingles, 0 without); for a hash that existed, only when asked for
   * (UpdateOptions.countShingles), since the SQLite backend must then read the file. Redis reports 0 for a hash
   * this change did not add: which of its 32 positions it still owns would take 32 more reads.
   */
  shingles?: number;
}

export interface UpdateOptions {
  /** Report UpdateResult.shingles for a hash that existed too (the admin API does; the UDP plane need not pay for it). */
  countShingles?: boolean;
  /**
   * Who asks (audit/audit-row.ts): the store records the change in the audit trail, the SQLite backend in the same
   * transaction as the change, the Redis backend in FUZZYD_DB right after it.
   */
  audit?: AuditContext;
}

export interface StoredHash {
  digest: Digest;
  /** The primary slot: rspamd's `flag`/`value` columns and fields. */
  flag: number;
  value: number;
  time: number;
  /** The other slots, in slot order; empty for a single-flag hash. */
  extraFlags: readonly FlagValue[];
}

/** Every slot of a hash, primary first. */
export function flagsOf(hash: { flag: number; value: number; extraFlags: readonly FlagValue[] }): FlagValue[] {
  return [{ flag: hash.flag, value: hash.value }, ...hash.extraFlags];
}

/** Whether the store can take writes now, and why not; /health shows it. */
export type { RedisServerState } from './redis/redis-servers.js';
import type { RedisServerState } from './redis/redis-servers.js';

export interface StoreHealth {
  writable: boolean;
  detail: string;
}

/** Thrown when the store cannot answer in time (a full disk, Redis gone): the admin API answers 503 at once. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/**
 * An update refused at once because the store's queue is at its bound (a write flood): nothing was queued, and the
 * client is told so instead of the queue growing until memory runs out.
 */
export class StoreOverloadedError extends Error {
  override readonly name = 'StoreOverloadedError';
}

/** Acknowledged work a store has not yet put where it finally belongs (for /metrics). */
export interface UnappliedWork {
  /** Update ops committed to a journal, not yet applied to the main tables. */
  journalOps: number;
  /** Hashes whose shingle rows are queued, not yet in the shingle table. */
  shingleHashes: number;
}

/**
 * What a store that acknowledges updates before it has finished them can tell about that work: the SQLite backend
 * queues updates in memory for the next group commit, and a commit lands in its journal and shingle queue first.
 */
export interface WriteBacklog {
  /** Updates in memory waiting for the next commit (bounded: past the bound updates are refused). */
  readonly queued: number;
  unapplied(): Promise<UnappliedWork>;
}

/**
 * The one interface the UDP plane and the admin API use. `check` and `count` are synchronous for the SQLite backend
 * (served from memory) and asynchronous for Redis; callers handle both. `update` resolves only after the change is
 * durably committed, and a `check` issued after that sees it.
 *
 * The optional members are capabilities only some stores have; callers test for their presence, never for a class:
 * - `index`: an in-memory index of every hash. Redis is shared with other writers, so no process can keep one.
 * - `catalogue`: ordered listing, search, export, shingles, per-flag counts (hash-catalogue.ts says why Redis has none).
 * - `writeBacklog`: work acknowledged but unfinished. Redis applies an update before it acknowledges it.
 */
export interface FuzzyBackend {
  readonly kind: 'sqlite' | 'redis';
  /** The in-memory index CHECKs are answered from, when the backend keeps one: UDP threads read it in place. */
  readonly index?: FuzzyIndex;
  /** Listing and searching in digest order, when the store keeps its digests ordered. */
  readonly catalogue?: HashCatalogue;
  /** Updates queued or acknowledged but not yet in their final place, when the store acknowledges early. */
  readonly writeBacklog?: WriteBacklog;
  /** The Redis servers the store uses, primary first, when it is a Redis store (/health, the dashboard). */
  redisServers?(): Promise<RedisServerState[]>;
  check(digest: Digest, shingles: ShingleBlock | null): CheckResult | Promise<CheckResult>;
  update(op: UpdateOp, options?: UpdateOptions): Promise<UpdateResult>;
  /**
   * False while an update would be refused for a full queue (StoreOverloadedError): the UDP plane answers such a
   * flood without building a promise and an error for every datagram.
   */
  acceptsUpdates(): boolean;
  count(): number | Promise<number>;
  /** Reads one hash by digest (null if absent or expired), without shingles. */
  get(digest: Digest): StoredHash | null | Promise<StoredHash | null>;
  health(): StoreHealth | Promise<StoreHealth>;
  /** Commits everything queued, then releases files and connections. */
  close(): Promise<void>;
}

export const FUZZY_BACKEND = Symbol('FUZZY_BACKEND');
