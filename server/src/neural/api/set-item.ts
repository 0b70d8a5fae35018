import type {
  NeuralLockInfo, NeuralProfileItem, NeuralSetItem, NeuralVectorCounts,
} from '../../../../shared/api/neural.js';
import type { NeuralRuleConfig } from '../neural-config.js';
import type { LockState } from '../redis/lock-state.js';
import { layoutOf, type NeuralGeneration } from '../redis/neural-layout.js';
import type { ClassCounts, DiscoveredSet, ProfileInfo, ProfileListing, VectorCounts } from '../redis/neural-redis.types.js';

export const NO_LOCK: NeuralLockInfo = {
  locked: false, held: false, hostname: null, lockTime: null, ageSeconds: null, expiresAt: null,
};

export const NO_VECTORS: NeuralVectorCounts = { spam: 0, ham: 0, layout: 'none' };

export function toLockInfo(lock: LockState): NeuralLockInfo {
  return {
    locked: lock.locked,
    held: lock.held,
    hostname: lock.hostname,
    lockTime: lock.lockTime,
    ageSeconds: lock.ageSeconds,
    expiresAt: lock.expiresAt,
  };
}

export function toProfileItem(p: ProfileInfo, generation: NeuralGeneration): NeuralProfileItem {
  return {
    version: p.version,
    digest: p.digest,
    redisKey: p.redisKey,
    symbols: p.symbolsCount,
    annBytes: p.key.annBytes,
    hasAnn: p.key.hasAnn,
    pca: p.key.hasPca,
    ttl: p.key.ttlSeconds,
    score: p.score,
    current: p.current,
    generation,
    obsolete: p.key.obsolete,
    providersDigest: p.profile.providers_digest ?? null,
    normStats: p.key.hasNormStats,
  };
}

export type SetRef = Pick<DiscoveredSet, 'rule' | 'settings' | 'zsetKey' | 'configured' | 'generation' | 'selected'>;

/**
 * One `GET /neural/rules` item from what the repository read for the set. For 4.x, `pending` (the pending sets) is
 * added to the counts, since rspamd's trigger and trainer take both (neural-4x.md §2.2).
 */
export function toSetItem(
  set: SetRef,
  rule: NeuralRuleConfig,
  listing: ProfileListing,
  counts: VectorCounts | null,
  pending: ClassCounts | null,
  activeJobId: string | null,
): NeuralSetItem {
  const current = listing.profiles.find((p) => p.current);
  const extra = pending ?? { spam: 0, ham: 0 };
  return {
    rule: set.rule,
    settings: set.settings,
    zsetKey: set.zsetKey,
    generation: set.generation,
    selected: set.selected,
    metatokens: layoutOf(set.generation).metatokens,
    configured: set.configured,
    maxTrains: rule.train.max_trains,
    watchInterval: rule.watch_interval,
    profiles: listing.profiles.map((p) => toProfileItem(p, set.generation)),
    invalidProfiles: listing.invalid.map((m) => ({ member: m.member, reason: m.reason })),
    vectors: counts
      ? { spam: counts.spam + extra.spam, ham: counts.ham + extra.ham, layout: counts.layout }
      : { ...NO_VECTORS, spam: extra.spam, ham: extra.ham },
    pendingVectors: pending,
    lock: current ? toLockInfo(current.key.lock) : { ...NO_LOCK },
    activeJobId,
  };
}
