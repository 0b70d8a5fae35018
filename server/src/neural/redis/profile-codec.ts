import { annKey } from './neural-keys.js';
import type { NeuralGeneration } from './neural-layout.js';
import { compareBytewise, sortSymbols, symbolsDigest } from './symbols-digest.js';

export { compareBytewise, sortSymbols, symbolsDigest } from './symbols-digest.js';
export { distanceSorted, isDistanceCandidate } from './profile-distance.js';

/** A profile document as stored in the `P2_R_1_S` / `P3_R_3_S` sorted set (spec/neural.md §4.1, neural-4x.md §1.3). */
export interface NeuralProfile {
  digest: string;
  symbols: string[];
  version: number;
  redis_key: string;
  /** Written (as 0) only by the worker that creates a version-0 profile. */
  distance?: number;
  /** 4.x only, and only for rules with feature `providers` (neural-4x.md §1.3, §3.5). */
  providers_digest?: string;
}

const REQUIRED = ['digest', 'symbols', 'version', 'redis_key'] as const;
/** Each generation's closed schema: 3.4 rejects `providers_digest`, 3.13+ accepts it (neural-4x.md §1.3). */
const ALLOWED: Record<NeuralGeneration, ReadonlySet<string>> = {
  '3.4': new Set<string>([...REQUIRED, 'distance']),
  '4.x': new Set<string>([...REQUIRED, 'distance', 'providers_digest']),
};

/** rspamd's emitter orders object keys by length first, then bytewise (§4.1). */
function compareKeys(a: string, b: string): number {
  return a.length - b.length || compareBytewise(a, b);
}

/**
 * The exact bytes rspamd writes for a profile (§4.1): compact JSON, keys ordered by length then bytewise
 * (`digest`, `symbols`, `version`, `distance`, `redis_key`), nothing else. A ZSET member is an exact string, so any
 * other byte sequence for the same profile would become a second member instead of re-scoring the first.
 */
export function serializeProfile(profile: NeuralProfile): string {
  const fields: Record<string, unknown> = {
    digest: profile.digest,
    symbols: profile.symbols,
    version: profile.version,
    redis_key: profile.redis_key,
  };
  if (profile.distance !== undefined) fields.distance = profile.distance;
  if (profile.providers_digest !== undefined) fields.providers_digest = profile.providers_digest;
  for (const n of [profile.version, profile.distance]) {
    if (n !== undefined && !Number.isFinite(n)) throw new RangeError(`profile number ${n} cannot be written as JSON`);
  }
  const ordered = Object.keys(fields)
    .sort(compareKeys)
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(fields[k])}`);
  return `{${ordered.join(',')}}`;
}

export type ProfileParseResult =
  /** `canonical` is false when a worker's re-add would create a second member (§4.1). */
  | { ok: true; profile: NeuralProfile; canonical: boolean }
  | { ok: false; reason: string };

/**
 * Parses one zset member with rspamd's schema (§4.1): the four required fields with their types, optional numeric
 * `distance` (and, in 4.x, string `providers_digest`), and no other field — rspamd rejects a profile with extra
 * fields, so we report it instead of using it.
 */
export function parseProfile(text: string, generation: NeuralGeneration = '3.4'): ProfileParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const obj = value as Record<string, unknown>;
  const extra = Object.keys(obj).filter((k) => !ALLOWED[generation].has(k));
  if (extra.length > 0) return { ok: false, reason: `unexpected field(s) ${extra.join(', ')} (rspamd rejects them)` };
  const missing = REQUIRED.filter((k) => !(k in obj));
  if (missing.length > 0) return { ok: false, reason: `missing field(s) ${missing.join(', ')}` };
  if (typeof obj.digest !== 'string') return { ok: false, reason: 'digest is not a string' };
  if (typeof obj.redis_key !== 'string') return { ok: false, reason: 'redis_key is not a string' };
  if (typeof obj.version !== 'number') return { ok: false, reason: 'version is not a number' };
  if (!Array.isArray(obj.symbols) || !obj.symbols.every((s) => typeof s === 'string')) {
    return { ok: false, reason: 'symbols is not an array of strings' };
  }
  if (obj.distance !== undefined && typeof obj.distance !== 'number') {
    return { ok: false, reason: 'distance is not a number' };
  }
  if (obj.providers_digest !== undefined && typeof obj.providers_digest !== 'string') {
    return { ok: false, reason: 'providers_digest is not a string' };
  }
  const profile: NeuralProfile = {
    digest: obj.digest,
    symbols: obj.symbols as string[],
    version: obj.version,
    redis_key: obj.redis_key,
  };
  if (obj.distance !== undefined) profile.distance = obj.distance as number;
  if (obj.providers_digest !== undefined) profile.providers_digest = obj.providers_digest as string;
  return { ok: true, profile, canonical: serializeProfile(profile) === text };
}

export interface ScoredMember {
  member: string;
  score: number;
}

export interface ParsedProfileMember extends ScoredMember {
  profile: NeuralProfile;
  canonical: boolean;
}

export interface InvalidProfileMember extends ScoredMember {
  reason: string;
}

/** Splits zset members into usable profiles and reported rejects, keeping the input (score) order. */
export function parseProfileMembers(
  members: readonly ScoredMember[],
  generation: NeuralGeneration = '3.4',
): {
  profiles: ParsedProfileMember[];
  invalid: InvalidProfileMember[];
} {
  const profiles: ParsedProfileMember[] = [];
  const invalid: InvalidProfileMember[] = [];
  for (const m of members) {
    const parsed = parseProfile(m.member, generation);
    if (parsed.ok) profiles.push({ ...m, profile: parsed.profile, canonical: parsed.canonical });
    else invalid.push({ ...m, reason: parsed.reason });
  }
  return { profiles, invalid };
}

export interface ProfileTarget {
  prefix: string;
  rulePrefix: string;
  settings: string;
}

/**
 * The profile for `symbols` (sorted here, digest computed) at `version`, with its ANN key named per §3. Version 0
 * carries `distance: 0` like the worker-created placeholder (§5.3 step 2); trained versions never do (§15 step 4).
 */
export function buildProfile(target: ProfileTarget, symbols: readonly string[], version: number): NeuralProfile {
  const sorted = sortSymbols(symbols);
  const digest = symbolsDigest(sorted);
  const redisKey = annKey(target.prefix, target.rulePrefix, target.settings, digest, version);
  const profile: NeuralProfile = { digest, symbols: sorted, version, redis_key: redisKey };
  if (version === 0) profile.distance = 0;
  return profile;
}
