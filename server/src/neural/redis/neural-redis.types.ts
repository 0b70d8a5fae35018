import type { InvalidProfileMember, NeuralProfile } from './profile-codec.js';
import type { LockState } from './lock-state.js';
import type { NeuralGeneration } from './neural-layout.js';

/** One settings element's profiles zset, found in Redis and/or named by the configuration. */
export interface DiscoveredSet {
  /** Configured rule name, or the rule prefix parsed from the key when no configured rule uses it. */
  rule: string;
  rulePrefix: string;
  settings: string;
  zsetKey: string;
  /** Whose layout the zset follows: `P2_R_1_S` is 3.4's, `P3_R_3_S` 4.x's (neural-layout.ts). */
  generation: NeuralGeneration;
  configured: boolean;
  /** The zset exists in Redis right now. */
  exists: boolean;
  /**
   * The generation fuzzyd uses for this rule × settings (FUZZYD_NEURAL_LAYOUT, or with `auto` 4.x once its zset
   * exists). False for the other one, e.g. the 3.4 leftovers of an installation upgraded to 4.x.
   */
  selected: boolean;
}

/** What lives under one profile's `redis_key` (spec/neural.md §3 hash fields). */
export interface AnnKeyInfo {
  exists: boolean;
  hasAnn: boolean;
  /** Size of the compressed `ann` field (0 when absent). */
  annBytes: number;
  hasPca: boolean;
  /** Seconds left before `ann_expire` removes the hash; null when it has no TTL or does not exist. */
  ttlSeconds: number | null;
  /** Raw `roc_thresholds` text, and its numbers when it parses as a JSON array of numbers. */
  rocThresholds: string | null;
  rocValues: number[] | null;
  lock: LockState;
  /** 4.x: a newer version was saved from this key, which now refuses vectors and expires (neural-4x.md §1.4). */
  obsolete: boolean;
  /** 4.x `norm_stats` / `providers_meta` fields are stored (rules with fusion normalisation / feature providers). */
  hasNormStats: boolean;
  hasProvidersMeta: boolean;
}

export interface ProfileInfo {
  member: string;
  /** Zset score: creation / last save / last load time in (fractional) unix seconds (§3). */
  score: number;
  /** False when rspamd would re-add the member with other bytes, creating a duplicate (§4.1). */
  canonical: boolean;
  profile: NeuralProfile;
  version: number;
  digest: string;
  redisKey: string;
  symbolsCount: number;
  /** Highest-scored profile with the set's digest (static profiles) or highest-scored overall (§15). */
  current: boolean;
  key: AnnKeyInfo;
}

export interface ProfileListing {
  rule: string;
  settings: string;
  generation: NeuralGeneration;
  zsetKey: string;
  /** Digest of the configured static symbols, when the rule has a static profile for these settings. */
  configuredDigest: string | null;
  /** Highest score first, as rspamd's ZREVRANGE returns them. */
  profiles: ProfileInfo[];
  invalid: InvalidProfileMember[];
}

export type VectorLayout = 'set' | 'list' | 'none';

export interface ClassCounts {
  spam: number;
  ham: number;
}

export interface VectorCounts extends ClassCounts {
  /** `set` (3.4) wins when both layouts hold data, because that is what 3.4 reads (§14). */
  layout: VectorLayout;
  sets: ClassCounts;
  lists: ClassCounts;
}

export interface StoredVectors {
  spam: Buffer[];
  ham: Buffer[];
  layout: VectorLayout;
}

export interface PushedVector {
  layout: 'set' | 'list';
  /** False when a SET already held the identical frame (§5.2). */
  added: boolean;
}

export type VectorsLenResult = { locked: true; holder: string } | ({ locked: false } & ClassCounts);

export type LockAttempt = { acquired: true } | { acquired: false; lockTime: string; hostname: string };

export interface SaveAnnParams {
  /** 3.4's `save_unlock` (KEYS only) or 4.1.1+'s (KEYS + ARGV, obsolete marking, TTLs). Default 3.4. */
  generation?: NeuralGeneration;
  zsetKey: string;
  /** The trained-from version's key (its lock is removed). */
  oldKey: string;
  /** The new profile; its `redis_key` is the new ANN key. `distance` is never written (§15 step 4). */
  profile: NeuralProfile;
  /** zstd frame of the kann binary. */
  ann: Buffer;
  annExpire: number;
  /** Unix second; also the new member's score. */
  now: number;
  /** `[]` unless ROC thresholds were computed; always written (§11). */
  rocThresholds?: string;
  pca?: Buffer;
  /** 3.4: delete the trained-from vectors after the save (§9.3, §15 step 5). Default true. 4.x expires them instead. */
  dropTrainedVectors?: boolean;
  /** 4.x: the pending sets the training read, deleted after the save as rspamd does (neural-4x.md §2.2). */
  pendingKeys?: string[];
}

export interface DeletedProfile {
  members: string[];
  deletedKeys: number;
}
