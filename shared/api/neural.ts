/**
 * Payloads of the neural part of the admin API (`/api/v1/neural`), shared by the server, the dashboard and the tests.
 * Plain types only. Vocabulary as in docs/spec/neural.md: a rule × settings pair ("set") owns a sorted set of
 * profiles; each profile names one ANN version and its Redis hash; the current profile collects the vectors that
 * train the next version.
 */

export type NeuralClass = 'spam' | 'ham';

/** One profile of a set (spec §4.1), highest score first. */
export interface NeuralProfileItem {
  version: number;
  /** Full 103-character symbols digest. */
  digest: string;
  /** The ANN hash `P_R_S_D8_V`. */
  redisKey: string;
  /** Number of symbols the profile feeds to its network (the input width is 26 + this). */
  symbols: number;
  /** Size of the compressed `ann` field; 0 for version 0 or an expired hash. */
  annBytes: number;
  hasAnn: boolean;
  /** A `pca` field is stored (needs a BLAS build of rspamd to be used, spec §12). */
  pca: boolean;
  /** Seconds until `ann_expire` removes the hash; null when it has no TTL or is gone. */
  ttl: number | null;
  /** Zset score: creation, last save or last load by a scanner, in unix seconds (fractional). */
  score: number;
  /** The profile the next training starts from and the vectors go to. */
  current: boolean;
}

/** Lock of the current profile's hash (spec §8). */
export interface NeuralLockInfo {
  /** A `lock` field exists: rspamd's scanners refuse new vectors while it does, however old it is. */
  locked: boolean;
  /** `maybe_lock` would refuse (0 < now − lock < max(10, 2·watch_interval)): someone is training. */
  held: boolean;
  hostname: string | null;
  /** Unix seconds written into `lock`. */
  lockTime: number | null;
  ageSeconds: number | null;
  /** Unix second from which the lock counts as stale and another trainer may take it over. */
  expiresAt: number | null;
}

export interface NeuralVectorCounts {
  spam: number;
  ham: number;
  /** `set` (rspamd 3.4), `list` (the 2020 plugin) or `none`. */
  layout: 'set' | 'list' | 'none';
}

/** `GET /neural/rules` item: one rule × settings. */
export interface NeuralSetItem {
  /** Configured rule name; for sets found only in Redis, the rule prefix from the key. */
  rule: string;
  settings: string;
  /** The profiles zset, `P2_R_1_S`. */
  zsetKey: string;
  /** Named by fuzzyd's neural configuration (else only found in Redis). */
  configured: boolean;
  /** Per-class cap and training trigger (`train.max_trains`). */
  maxTrains: number;
  watchInterval: number;
  profiles: NeuralProfileItem[];
  /** Zset members rspamd would reject, with the reason (e.g. extra fields). */
  invalidProfiles: { member: string; reason: string }[];
  /** Vectors stored under the current profile. */
  vectors: NeuralVectorCounts;
  lock: NeuralLockInfo;
  /** The id of a queued or running fuzzyd training for this set. */
  activeJobId: string | null;
}

export type NeuralJobState = 'queued' | 'running' | 'succeeded' | 'failed';
export type NeuralJobTrigger = 'manual' | 'auto';

export interface NeuralJobEpoch {
  /** 1-based. */
  epoch: number;
  trainCost: number;
  /** null when there were fewer than 10 rows (no validation split). */
  validationCost: number | null;
}

/** What the trainer read and kept (spec §5.2: rspamd would fail the whole training on one bad member). */
export interface NeuralJobVectors {
  spam: number;
  ham: number;
  layout: 'set' | 'list' | 'none';
  /** Members that are not a zstd frame of `;`-separated numbers. */
  invalid: number;
  /** Rows whose width is not 26 + the profile's symbols. */
  wrongWidth: number;
  expectedWidth: number;
}

/** `GET /neural/jobs/{id}`. Times are ISO 8601. */
export interface NeuralJob {
  id: string;
  rule: string;
  settings: string;
  trigger: NeuralJobTrigger;
  state: NeuralJobState;
  /** Epochs completed (1-based), of `maxEpochs` (`train.max_iterations`). */
  epoch: number;
  maxEpochs: number;
  trainCost: number | null;
  validationCost: number | null;
  /** Validation cost of the published weights (the best-validation snapshot, spec §9.4). */
  bestValidationCost: number | null;
  history: NeuralJobEpoch[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The version trained from and its key. */
  fromVersion: number | null;
  oldKey: string | null;
  publishedVersion: number | null;
  newKey: string | null;
  vectors: NeuralJobVectors | null;
  /** Size of the network: inputs and hidden units. */
  nInputs: number | null;
  hidden: number | null;
  error: string | null;
}

/** `POST .../train` answer (202). */
export interface NeuralTrainAccepted {
  jobId: string;
  state: NeuralJobState;
}

/** `POST .../vectors` body. */
export interface NeuralVectorPush {
  class: NeuralClass;
  /** 26 metatokens, then one value per symbol of the current profile, in profile order. */
  values: number[];
}

/** `POST .../vectors` answer: rspamd's sampling decision (spec §5.4) and the result. */
export interface NeuralVectorPushResult {
  stored: boolean;
  reason: string;
  /** Counts before the push. */
  vectors: NeuralVectorCounts;
  redisKey: string;
  version: number;
}

/** `DELETE .../lock`. */
export interface NeuralUnlockResult {
  removed: boolean;
  /** ANN keys whose `lock` field was deleted. */
  keys: string[];
}

/** `DELETE .../profiles/{version}`. */
export interface NeuralProfileDeleteResult {
  /** Profile members removed from the zset. */
  removed: number;
  /** Redis keys deleted (ANN hashes and vector sets). */
  deletedKeys: number;
}
