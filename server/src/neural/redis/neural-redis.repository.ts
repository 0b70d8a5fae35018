import { hostname as osHostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { NeuralConfig } from '../neural-config.js';
import { describeClient, guardRedis } from './neural-redis.client.js';
import { annFamilyKeys, parseAnnKey, pendingSetKey, profilesKey, type VectorClass } from './neural-keys.js';
import { layoutOf, type NeuralGeneration, type NeuralLayoutChoice } from './neural-layout.js';
import { publishAnn } from './publish-ann.js';
import { discoverNeuralSets } from './set-discovery.js';
import { computeLockState, lockExpireSeconds, unixSeconds, type LockState } from './lock-state.js';
import {
  buildProfile, parseProfileMembers, serializeProfile, symbolsDigest, type NeuralProfile, type ScoredMember,
} from './profile-codec.js';
import { annKeyInfo, toProfileInfos } from './profile-listing.js';
import { registerNeuralScripts, type NeuralRedisClient } from './neural-scripts.js';
import { execAll } from './redis-pipeline.js';
import { countVectors, pushVectorFrame, readVectorFrames } from './vector-queries.js';
import type {
  ClassCounts, DeletedProfile, DiscoveredSet, LockAttempt, ProfileListing, PushedVector, SaveAnnParams, StoredVectors,
  VectorCounts, VectorsLenResult,
} from './neural-redis.types.js';

const DEFAULT_WATCH_INTERVAL = 60;

/**
 * rspamd's neural data in Redis, in 3.4's layout (spec/neural.md §3–§8) and 4.x's (spec/neural-4x.md §1–§2):
 * profiles, ANN hashes, vectors (3.4's sets, the 2020 lists, 4.x's pending sets) and the training lock. Methods that
 * depend on the profiles zset take the generation (default 3.4). Every method fails with RedisUnavailableError, never
 * hangs, when Redis is down.
 */
export class NeuralRedisRepository {
  private readonly client: NeuralRedisClient;
  private readonly address: string;
  private readonly readyTimeoutMs: number;

  constructor(
    client: Redis,
    private readonly config: NeuralConfig,
    options: { address?: string; readyTimeoutMs?: number } = {},
  ) {
    this.client = registerNeuralScripts(client);
    this.address = options.address ?? describeClient(client);
    this.readyTimeoutMs = options.readyTimeoutMs ?? 2000;
  }

  /**
   * Both generations' profile zsets, found by SCAN and named by the configuration, each marked with whether it is
   * the generation `choice` selects for its rule × settings (set-discovery.ts).
   */
  async discoverSets(choice: NeuralLayoutChoice = 'auto'): Promise<DiscoveredSet[]> {
    return this.run(() => discoverNeuralSets(this.client, this.config, choice));
  }

  /** The generation of one rule × settings: fixed by `choice`, or in `auto` 4.x once its zset exists, else 3.4. */
  async resolveGeneration(rule: string, settings: string, choice: NeuralLayoutChoice): Promise<NeuralGeneration> {
    if (choice !== 'auto') return choice;
    const exists = await this.run(() => this.client.exists(this.zsetKey(rule, settings, '4.x')));
    return exists > 0 ? '4.x' : '3.4';
  }

  /** All profiles of a set, highest score first (§15), with what each one's ANN key holds. */
  async listProfiles(
    rule: string,
    settings: string,
    now = unixSeconds(),
    generation: NeuralGeneration = '3.4',
  ): Promise<ProfileListing> {
    const zsetKey = this.zsetKey(rule, settings, generation);
    const staticSymbols = this.config.rules[rule]?.symbols[settings];
    const configuredDigest = staticSymbols ? symbolsDigest(staticSymbols) : null;
    return this.run(async () => {
      const { profiles, invalid } = parseProfileMembers(await this.scoredMembers(zsetKey), generation);
      const p = this.client.pipeline();
      for (const { profile } of profiles) {
        const k = profile.redis_key;
        p.exists(k).hstrlen(k, 'ann').hexists(k, 'pca').ttl(k).hget(k, 'roc_thresholds').hmget(k, 'lock', 'hostname');
        p.hexists(k, 'obsolete').hexists(k, 'norm_stats').hexists(k, 'providers_meta');
      }
      const replies = profiles.length === 0 ? [] : await execAll(p);
      const watch = this.config.rules[rule]?.watch_interval ?? DEFAULT_WATCH_INTERVAL;
      const keys = profiles.map((_, i) => {
        const [exists, annBytes, hasPca, ttl, roc, lockFields, obsolete, normStats, providersMeta] = replies.slice(i * 9, i * 9 + 9);
        const [lock, hostname] = lockFields as (string | null)[];
        const counts = { exists, annBytes, hasPca, ttl, obsolete, normStats, providersMeta } as Record<
          'exists' | 'annBytes' | 'hasPca' | 'ttl' | 'obsolete' | 'normStats' | 'providersMeta',
          number
        >;
        return annKeyInfo({ ...counts, roc: roc as string | null, lock, hostname }, now, watch);
      });
      const infos = toProfileInfos(profiles, keys, configuredDigest, generation);
      return { rule, settings, generation, zsetKey, configuredDigest, profiles: infos, invalid };
    });
  }

  /** Vector counts per class, telling the 3.4 SET layout from the 2020 LIST layout with TYPE (§14). */
  async vectorCounts(annKey: string): Promise<VectorCounts> {
    return this.run(() => countVectors(this.client, annKey));
  }

  /** 4.x pending sets of a rule × settings (neural-4x.md §1.1): SCARD per class, 0 when absent. */
  async pendingCounts(rule: string, settings: string): Promise<ClassCounts> {
    const [spam, ham] = this.pendingKeys(rule, settings);
    const [nSpam, nHam] = (await this.run(() => execAll(this.client.pipeline().scard(spam).scard(ham)))) as number[];
    return { spam: nSpam, ham: nHam };
  }

  /** Raw frames of the 4.x pending sets, per class. */
  async readPendingVectors(rule: string, settings: string): Promise<{ spam: Buffer[]; ham: Buffer[] }> {
    const [spam, ham] = this.pendingKeys(rule, settings);
    return this.run(async () => ({ spam: await this.client.smembersBuffer(spam), ham: await this.client.smembersBuffer(ham) }));
  }

  /** `P_R_S_pending_spam_set`, `P_R_S_pending_ham_set`. */
  pendingKeys(rule: string, settings: string): [string, string] {
    const key = (cls: VectorClass): string => pendingSetKey(this.config.prefix, this.rulePrefix(rule), settings, cls);
    return [key('spam'), key('ham')];
  }

  /**
   * The size script (§6.1; 4.x: neural-4x.md §2.1): a lock string when locked (4.x: `obsolete` for a key a newer
   * version was saved from), else the counts of the chosen layout.
   */
  async vectorsLen(annKey: string, layout: 'set' | 'list' = 'set', generation: NeuralGeneration = '3.4'): Promise<VectorsLenResult> {
    const reply = await this.run(() => {
      if (generation === '4.x') return this.client.neuralVectorsLen4x(annKey);
      return layout === 'set' ? this.client.neuralVectorsLen(annKey) : this.client.neuralVectorsLenList(annKey);
    });
    if (typeof reply === 'string') return { locked: true, holder: reply };
    return { locked: false, spam: Number(reply[0]), ham: Number(reply[1]) };
  }

  async lockState(annKey: string, now = unixSeconds(), watchInterval = DEFAULT_WATCH_INTERVAL): Promise<LockState> {
    const [lock, host] = await this.run(() => this.client.hmget(annKey, 'lock', 'hostname'));
    return computeLockState(lock, host, now, watchInterval);
  }

  /** Breaks a lock exactly as rspamd's error path does: `HDEL key lock` (§8). True when a lock was removed. */
  async forceUnlock(annKey: string): Promise<boolean> {
    return (await this.run(() => this.client.hdel(annKey, 'lock'))) > 0;
  }

  /** `maybe_lock` (§6.3) with rspamd's expiry max(10, 2·watch_interval). */
  async tryLock(
    annKey: string,
    opts: { now?: number; watchInterval?: number; hostname?: string } = {},
  ): Promise<LockAttempt> {
    const now = opts.now ?? unixSeconds();
    const expire = lockExpireSeconds(opts.watchInterval ?? DEFAULT_WATCH_INTERVAL);
    const reply = await this.run(() =>
      this.client.neuralMaybeLock(annKey, String(now), String(expire), opts.hostname ?? osHostname()),
    );
    if (Array.isArray(reply)) return { acquired: false, lockTime: String(reply[0]), hostname: String(reply[1]) };
    return { acquired: true };
  }

  /**
   * Keeps a lock fresh during a long training by writing now − 1 (§15 step 1): a lock equal to the current second
   * would count as free (§6.3). Only an existing lock (held by `hostname`, when given) is touched.
   */
  async refreshLock(annKey: string, now = unixSeconds(), hostname = ''): Promise<boolean> {
    return (await this.run(() => this.client.neuralRefreshLock(annKey, String(now - 1), hostname))) === 1;
  }

  /** rspamd's own extension, `HINCRBY key lock <seconds>` (§6.5); null when there was no lock to extend. */
  async extendLock(annKey: string, seconds = 30, hostname = ''): Promise<number | null> {
    const value = await this.run(() => this.client.neuralExtendLock(annKey, String(seconds), hostname));
    return value === 0 ? null : value;
  }

  /**
   * Publishes a trained ANN and releases the lock, in the generation's own steps (publish-ann.ts): 3.4's
   * `save_unlock` and dropping the trained-from vectors, or 4.1.1's with obsolete marking and TTLs.
   */
  async saveAndUnlock(params: SaveAnnParams): Promise<void> {
    return this.run(() => publishAnn(this.client, params));
  }

  /**
   * `maybe_invalidate` (§6.2): returns the removed members (oldest first). With `tombstoneCutoff` (4.x, unix
   * seconds) also the blob-less, set-less members scored before it (neural-4x.md §1.5).
   */
  async invalidate(zsetKey: string, maxProfiles = this.config.max_profiles, tombstoneCutoff?: number): Promise<string[]> {
    const cutoff: [] | [string] = tombstoneCutoff === undefined ? [] : [String(tombstoneCutoff)];
    return this.run(() => this.client.neuralMaybeInvalidate(zsetKey, String(maxProfiles), ...cutoff));
  }

  /** What a scanner does for a set without profiles (§5.3 step 2): ZADD a version-0 member with `distance:0`. */
  async createVersionZero(
    rule: string,
    settings: string,
    symbols: readonly string[],
    nowMs = Date.now(),
    generation: NeuralGeneration = '3.4',
  ): Promise<{ zsetKey: string; profile: NeuralProfile; member: string }> {
    const zsetKey = this.zsetKey(rule, settings, generation);
    const target = { prefix: this.config.prefix, rulePrefix: this.rulePrefix(rule), settings };
    const profile = buildProfile(target, symbols, 0);
    const member = serializeProfile(profile);
    await this.run(() => this.client.zadd(zsetKey, nowMs / 1000, member));
    return { zsetKey, profile, member };
  }

  /**
   * §15 step 3 / neural-4x.md §2.3 (4.1.1+): one more than the highest of the trained-from key's `_<n>` suffix and
   * every stored version for this digest, so versions never regress after restarts.
   */
  async nextVersion(zsetKey: string, digest: string, fromKey?: string, generation: NeuralGeneration = '3.4'): Promise<number> {
    const { profiles } = parseProfileMembers(await this.run(() => this.scoredMembers(zsetKey)), generation);
    const from = fromKey === undefined ? 0 : (parseAnnKey(fromKey)?.version ?? 0);
    return profiles.reduce((max, p) => (p.profile.digest === digest ? Math.max(max, p.profile.version) : max), from) + 1;
  }

  /**
   * Removes the profile member(s) of `version` (and `digest`, when given) and every key of their ANN — except keys
   * the other generation's zset names too (sharedWithOtherGeneration), which stay for it.
   */
  async deleteProfile(
    rule: string,
    settings: string,
    version: number,
    digest?: string,
    generation: NeuralGeneration = '3.4',
  ): Promise<DeletedProfile> {
    const zsetKey = this.zsetKey(rule, settings, generation);
    return this.run(async () => {
      const { profiles } = parseProfileMembers(await this.scoredMembers(zsetKey), generation);
      const doomed = profiles.filter(
        (p) => p.profile.version === version && (digest === undefined || p.profile.digest === digest),
      );
      if (doomed.length === 0) return { members: [], deletedKeys: 0 };
      const shared = await this.sharedWithOtherGeneration(rule, settings, generation);
      const owned = doomed.map((p) => p.profile.redis_key).filter((k) => !shared.has(k));
      const keys = [...new Set(owned.flatMap((k) => annFamilyKeys(k)))];
      const members = doomed.map((p) => p.member);
      const tx = this.client.multi().zrem(zsetKey, ...members);
      if (keys.length > 0) tx.del(...keys);
      const [, deleted] = (await execAll(tx)) as number[];
      return { members, deletedKeys: deleted ?? 0 };
    });
  }

  /**
   * ANN keys that the other generation's zset of this rule × settings names as well. Both generations name ANN keys
   * `P_R_S_D8_V`, so with an unchanged symbol list a 3.4 leftover and 4.x share version 0's hash and sets
   * (neural-4x.md §7): deleting or emptying them for one would take the other's data.
   */
  async sharedWithOtherGeneration(rule: string, settings: string, generation: NeuralGeneration): Promise<Set<string>> {
    const other: NeuralGeneration = generation === '4.x' ? '3.4' : '4.x';
    const members = await this.run(() => this.scoredMembers(this.zsetKey(rule, settings, other)));
    return new Set(parseProfileMembers(members, other).profiles.map((p) => p.profile.redis_key));
  }

  /** Raw vector frames (zstd) per class, from whichever layout holds them. */
  async readVectors(annKey: string): Promise<StoredVectors> {
    return this.run(() => readVectorFrames(this.client, annKey));
  }

  /** SADD for the 3.4 layout, LPUSH when the class is already a 2020 LIST. */
  async pushVector(annKey: string, cls: VectorClass, frame: Buffer): Promise<PushedVector> {
    return this.run(() => pushVectorFrame(this.client, annKey, cls, frame));
  }

  /** The profiles zset key of a configured rule name (or, for unconfigured rules, a rule prefix). */
  zsetKey(rule: string, settings: string, generation: NeuralGeneration = '3.4'): string {
    return profilesKey(this.config.prefix, this.rulePrefix(rule), settings, layoutOf(generation));
  }

  private rulePrefix(rule: string): string {
    return this.config.rules[rule]?.prefix ?? rule;
  }

  private async scoredMembers(zsetKey: string): Promise<ScoredMember[]> {
    const flat = await this.client.zrevrange(zsetKey, 0, -1, 'WITHSCORES');
    const out: ScoredMember[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: flat[i], score: Number(flat[i + 1]) });
    return out;
  }

  private run<T>(op: () => Promise<T>): Promise<T> {
    return guardRedis(this.client, this.address, op, this.readyTimeoutMs);
  }
}
