import { computeLockState } from './lock-state.js';
import type { ParsedProfileMember } from './profile-codec.js';
import type { NeuralGeneration } from './neural-layout.js';
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
  obsolete: number;
  normStats: number;
  providersMeta: number;
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
    obsolete: r.obsolete > 0,
    hasNormStats: r.normStats > 0,
    hasProvidersMeta: r.providersMeta > 0,
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
 * Marks the current profile. The set's digest is the configured static symbols' one, else the highest-scored
 * profile's (fuzzyd cannot know the symbols rspamd registered).
 * - 3.4 (§15): the highest-scored profile with that digest.
 * - 4.x (neural-4x.md §1.3 steps 2–3): scanners rank compatible profiles by distance, then version, and send new
 *   vectors to the head (`training_profile`); with the digest fixed the distance is 0, so: the highest version with
 *   that digest, the highest-scored on a tie.
 * `members` must be in descending score order.
 */
export function toProfileInfos(
  members: readonly ParsedProfileMember[],
  keys: readonly AnnKeyInfo[],
  configuredDigest: string | null,
  generation: NeuralGeneration = '3.4',
): ProfileInfo[] {
  const digest = configuredDigest ?? members[0]?.profile.digest;
  let currentIndex = members.findIndex((m) => m.profile.digest === digest);
  if (generation === '4.x') {
    members.forEach((m, i) => {
      if (m.profile.digest === digest && m.profile.version > members[currentIndex].profile.version) currentIndex = i;
    });
  }
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
