import Type, { type Static } from 'typebox';
import { Nullable } from './formats.js';
import { NeuralJobReport } from './neural-report.js';

/**
 * Payloads of the neural part of the admin API (`/api/v1/neural`), one TypeBox schema each (type, check, OpenAPI).
 * Vocabulary as in docs/spec/neural.md: a rule × settings pair ("set") owns a sorted set of profiles; each profile
 * names one ANN version and its Redis hash; the current profile collects the vectors that train the next version.
 */

export const NeuralClass = Type.Union([Type.Literal('spam'), Type.Literal('ham')]);
export type NeuralClass = Static<typeof NeuralClass>;

const Layout = Type.Union([Type.Literal('set'), Type.Literal('list'), Type.Literal('none')], {
  description: '`set` (rspamd 3.4), `list` (the 2020 plugin) or `none`',
});
const NullableNumber = Nullable(Type.Number());
const NullableString = Nullable(Type.String());
const DateTime = Type.String({ format: 'date-time' });

/** One profile of a set (spec §4.1), highest score first. */
export const NeuralProfileItem = Type.Object({
  version: Type.Integer(),
  digest: Type.String({ description: 'Full 103-character symbols digest' }),
  redisKey: Type.String({ example: 'rn_default_default_5rmbwnuk_1', description: 'The ANN hash `P_R_S_D8_V`' }),
  symbols: Type.Integer({ description: 'Symbols the profile feeds to its network (the input width is 26 + this)' }),
  annBytes: Type.Integer({ description: 'Size of the compressed `ann` field; 0 for version 0 or an expired hash' }),
  hasAnn: Type.Boolean(),
  pca: Type.Boolean({ description: 'A `pca` field is stored (needs a BLAS build of rspamd to be used, spec §12)' }),
  ttl: Nullable(Type.Integer({ description: 'Seconds until `ann_expire` removes the hash; null when it has no TTL or is gone' })),
  score: Type.Number({ description: 'Zset score: creation, last save or last load by a scanner, in unix seconds (fractional)' }),
  current: Type.Boolean({ description: 'The profile the next training starts from and the vectors go to' }),
});
export type NeuralProfileItem = Static<typeof NeuralProfileItem>;

/** Lock of the current profile's hash (spec §8). */
export const NeuralLockInfo = Type.Object({
  locked: Type.Boolean({ description: "A `lock` field exists: rspamd's scanners refuse new vectors while it does, however old it is" }),
  held: Type.Boolean({ description: '`maybe_lock` would refuse (0 < now − lock < max(10, 2·watch_interval)): someone is training' }),
  hostname: NullableString,
  lockTime: Nullable(Type.Number({ description: 'Unix seconds written into `lock`' })),
  ageSeconds: NullableNumber,
  expiresAt: Nullable(Type.Number({ description: 'Unix second from which the lock counts as stale and another trainer may take it over' })),
});
export type NeuralLockInfo = Static<typeof NeuralLockInfo>;

export const NeuralVectorCounts = Type.Object({ spam: Type.Integer(), ham: Type.Integer(), layout: Layout });
export type NeuralVectorCounts = Static<typeof NeuralVectorCounts>;

/** `GET /neural/rules` item: one rule × settings. */
export const NeuralSetItem = Type.Object({
  rule: Type.String({ description: 'Configured rule name; for sets found only in Redis, the rule prefix from the key' }),
  settings: Type.String(),
  zsetKey: Type.String({ example: 'rn2_default_1_default', description: 'The profiles zset, `P2_R_1_S`' }),
  configured: Type.Boolean({ description: "Named by fuzzyd's neural configuration (else only found in Redis)" }),
  maxTrains: Type.Integer({ description: 'Per-class cap and training trigger (`train.max_trains`)' }),
  watchInterval: Type.Number(),
  profiles: Type.Array(NeuralProfileItem),
  invalidProfiles: Type.Array(Type.Object({ member: Type.String(), reason: Type.String() }), {
    description: 'Zset members rspamd would reject, with the reason (e.g. extra fields)',
  }),
  vectors: NeuralVectorCounts,
  lock: NeuralLockInfo,
  activeJobId: Nullable(Type.String({ description: 'The id of a queued or running fuzzyd training for this set' })),
});
export type NeuralSetItem = Static<typeof NeuralSetItem>;

export const NeuralJobState = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed')]);
export type NeuralJobState = Static<typeof NeuralJobState>;
export const NeuralJobTrigger = Type.Union([Type.Literal('manual'), Type.Literal('auto')]);
export type NeuralJobTrigger = Static<typeof NeuralJobTrigger>;

export const NeuralJobEpoch = Type.Object({
  epoch: Type.Integer({ description: '1-based' }),
  trainCost: Type.Number(),
  validationCost: Nullable(Type.Number({ description: 'null when there were fewer than 10 rows (no validation split)' })),
});
export type NeuralJobEpoch = Static<typeof NeuralJobEpoch>;

/** What the trainer read and kept (spec §5.2: rspamd would fail the whole training on one bad member). */
export const NeuralJobVectors = Type.Object({
  spam: Type.Integer(),
  ham: Type.Integer(),
  layout: Layout,
  invalid: Type.Integer({ description: 'Members that are not a zstd frame of `;`-separated numbers' }),
  wrongWidth: Type.Integer({ description: "Rows whose width is not 26 + the profile's symbols" }),
  expectedWidth: Type.Integer(),
});
export type NeuralJobVectors = Static<typeof NeuralJobVectors>;

/** `GET /neural/jobs/{id}`. Times are ISO 8601. */
export const NeuralJob = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  settings: Type.String(),
  trigger: NeuralJobTrigger,
  state: NeuralJobState,
  epoch: Type.Integer({ description: 'Epochs completed (1-based), of `maxEpochs` (`train.max_iterations`)' }),
  maxEpochs: Type.Integer(),
  trainCost: NullableNumber,
  validationCost: NullableNumber,
  bestValidationCost: Nullable(Type.Number({ description: 'Validation cost of the published weights (the best-validation snapshot, spec §9.4)' })),
  bestEpoch: Nullable(
    Type.Integer({ description: 'The epoch whose weights were published (the best-validation snapshot); null when none was taken and the last epoch is published' }),
  ),
  stoppedEarly: Type.Boolean({ description: 'Training stopped before `maxEpochs` because the validation cost stopped improving (kann patience, spec §9.4)' }),
  history: Type.Array(NeuralJobEpoch),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  fromVersion: Nullable(Type.Integer({ description: 'The version trained from' })),
  oldKey: NullableString,
  publishedVersion: Nullable(Type.Integer()),
  newKey: NullableString,
  vectors: Nullable(NeuralJobVectors),
  nInputs: Nullable(Type.Integer({ description: 'Size of the network: inputs' })),
  hidden: Nullable(Type.Integer({ description: 'Size of the network: hidden units' })),
  report: Nullable(NeuralJobReport),
  error: NullableString,
});
export type NeuralJob = Static<typeof NeuralJob>;

/** `POST .../train` answer (202). */
export const NeuralTrainAccepted = Type.Object({ jobId: Type.String(), state: NeuralJobState });
export type NeuralTrainAccepted = Static<typeof NeuralTrainAccepted>;

/** Far beyond any real profile (a few hundred symbols), small enough to bound a request. */
export const MAX_VECTOR_VALUES = 100_000;

/** `POST .../vectors` body; the width check needs the current profile and happens in the service. */
export const NeuralVectorPush = Type.Object(
  {
    class: NeuralClass,
    values: Type.Array(Type.Number(), {
      minItems: 1,
      maxItems: MAX_VECTOR_VALUES,
      description: '26 metatokens, then one value per symbol of the current profile, in profile order',
      'x-error': `must be a non-empty array of at most ${MAX_VECTOR_VALUES} finite numbers`,
    }),
  },
  { additionalProperties: false },
);
export type NeuralVectorPush = Static<typeof NeuralVectorPush>;

/** `POST .../vectors` answer: rspamd's sampling decision (spec §5.4) and the result. */
export const NeuralVectorPushResult = Type.Object({
  stored: Type.Boolean(),
  reason: Type.String({ description: 'The sampling decision (spec §5.4), lock or duplicate' }),
  vectors: Type.Object(NeuralVectorCounts.properties, { description: 'Counts before the push' }),
  redisKey: Type.String(),
  version: Type.Integer(),
});
export type NeuralVectorPushResult = Static<typeof NeuralVectorPushResult>;

/** `DELETE .../lock`. */
export const NeuralUnlockResult = Type.Object({
  removed: Type.Boolean(),
  keys: Type.Array(Type.String(), { description: 'ANN keys whose `lock` field was deleted' }),
});
export type NeuralUnlockResult = Static<typeof NeuralUnlockResult>;

/** `DELETE .../profiles/{version}`. */
export const NeuralProfileDeleteResult = Type.Object({
  removed: Type.Integer({ description: 'Profile members removed from the zset' }),
  deletedKeys: Type.Integer({ description: 'Redis keys deleted (ANN hashes and vector sets)' }),
  warning: Nullable(
    Type.String({ description: 'Set when the deleted profile was the current one with an ANN, which rspamd workers may have loaded' }),
  ),
});
export type NeuralProfileDeleteResult = Static<typeof NeuralProfileDeleteResult>;
