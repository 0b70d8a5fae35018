import type {
  NeuralLockInfo, NeuralProfileItem, NeuralSetItem, NeuralVectorCounts,
} from '../../../../shared/api/neural.js';
import type { NeuralRuleConfig } from '../neural-config.js';
import type { LockState } from '../redis/lock-state.js';
import type { DiscoveredSet, ProfileInfo, ProfileListing, VectorCounts } from '../redis/neural-redis.types.js';

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

export function toProfileItem(p: ProfileInfo): NeuralProfileItem {
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
  };
}

/** One `GET /neural/rules` item from what the repository read for the set. */
export function toSetItem(
  set: Pick<DiscoveredSet, 'rule' | 'settings' | 'zsetKey' | 'configured'>,
  rule: NeuralRuleConfig,
  listing: ProfileListing,
  counts: VectorCounts | null,
  activeJobId: string | null,
): NeuralSetItem {
  const current = listing.profiles.find((p) => p.current);
  return {
    rule: set.rule,
    settings: set.settings,
    zsetKey: set.zsetKey,
    configured: set.configured,
    maxTrains: rule.train.max_trains,
    watchInterval: rule.watch_interval,
    profiles: listing.profiles.map(toProfileItem),
    invalidProfiles: listing.invalid.map((m) => ({ member: m.member, reason: m.reason })),
    vectors: counts ? { spam: counts.spam, ham: counts.ham, layout: counts.layout } : { ...NO_VECTORS },
    lock: current ? toLockInfo(current.key.lock) : { ...NO_LOCK },
    activeJobId,
  };
}
