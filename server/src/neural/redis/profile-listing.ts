import { computeLockState } from './lock-state.js';
import type { ParsedProfileMember } from './profile-codec.js';
import type { AnnKeyInfo, ProfileInfo } from './neural-redis.types.js';

/** Raw replies for one ANN key, in the order the repository pipelines them. */
export interface AnnKeyReplies {
  exists: number;
  annBytes: number;
  hasPca: number;
  ttl: number;
  roc: string | null;
  lock: string | null;
  hostname: string | null;
}

export function annKeyInfo(r: AnnKeyReplies, now: number, watchInterval: number): AnnKeyInfo {
  return {
    exists: r.exists > 0,
    hasAnn: r.annBytes > 0,
    annBytes: r.annBytes,
    hasPca: r.hasPca > 0,
    // Redis TTL: -1 = no expiry, -2 = no key.
    ttlSeconds: r.ttl >= 0 ? r.ttl : null,
    rocThresholds: r.roc,
    rocValues: parseRoc(r.roc),
    lock: computeLockState(r.lock, r.hostname, now, watchInterval),
  };
}

function parseRoc(raw: string | null): number[] | null {
  if (raw === null) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return Array.isArray(v) && v.every((x) => typeof x === 'number') ? v : null;
  } catch {
    return null;
  }
}

/**
 * Marks the current profile (§15): the highest-scored one with the set's digest when the symbols are configured
 * statically, else the highest-scored profile. `members` must be in descending score order.
 */
export function toProfileInfos(
  members: readonly ParsedProfileMember[],
  keys: readonly AnnKeyInfo[],
  configuredDigest: string | null,
): ProfileInfo[] {
  const currentIndex =
    configuredDigest === null
      ? members.length > 0
        ? 0
        : -1
      : members.findIndex((m) => m.profile.digest === configuredDigest);
  return members.map((m, i) => ({
    member: m.member,
    score: m.score,
    canonical: m.canonical,
    profile: m.profile,
    version: m.profile.version,
    digest: m.profile.digest,
    redisKey: m.profile.redis_key,
    symbolsCount: m.profile.symbols.length,
    current: i === currentIndex,
    key: keys[i],
  }));
}
