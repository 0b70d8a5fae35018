import { type NeuralConfig, parseNeuralConfig, type NeuralRuleConfig } from './neural-config.js';

/**
 * When the automatic trigger trains (spec/neural.md §7 step 4):
 * - `rspamd`: what 3.4 actually does — one class reached `max_trains` and the other is not empty;
 * - `balanced`: what 3.4 meant to do (its `learn_type` typo disables it) — both classes reached
 *   max_trains × (1 − classes_bias) when the rule's learn_mode is balanced; proportional rules use the rspamd test.
 */
export type TrainTriggerMode = 'rspamd' | 'balanced';

/** Everything the neural module needs besides Redis' address; read and checked at start (config/neural-settings.ts). */
export interface NeuralSettings {
  config: NeuralConfig;
  /**
   * `FUZZYD_NEURAL_AUTOTRAIN`: train every `watch_interval` when the trigger says so. null (unset): only when
   * FUZZYD_REDIS_URL is set, not with the default address (autotrainEnabled).
   */
  autotrain: boolean | null;
  /** `FUZZYD_NEURAL_TRIGGER` (default `rspamd`). */
  trigger: TrainTriggerMode;
  /** Written into `hostname` when fuzzyd takes a training lock (`FUZZYD_NEURAL_HOSTNAME`, default `fuzzyd@<host name>`). */
  hostname: string;
  /**
   * `FUZZYD_NEURAL_PCA` (default false): the rspamd that loads fuzzyd's ANNs is built with BLAS, so `max_inputs` (PCA)
   * works there. Debian's packages are not: such an rspamd drops `max_inputs`, loads the reduced ANN and then fails
   * every scan on the input width, so without this setting a rule with `max_inputs` is not trained.
   */
  pca: boolean;
  /**
   * `FUZZYD_NEURAL_QUALITY_GATE` (default false): refuse to publish a model rspamd 4.1.1's gate rejects (NaN, constant
   * or single-class output on the training rows); the lock is released and the vectors stay (neural-4x.md §5).
   */
  qualityGate: boolean;
}

/**
 * Train parameters of a rule. A set found only in Redis (its rule is not configured) gets rspamd's defaults, named
 * by its rule prefix, so it can still be inspected and trained on demand.
 */
export function ruleConfig(config: NeuralConfig, rule: string): NeuralRuleConfig {
  return config.rules[rule] ?? parseNeuralConfig({ rules: { [rule]: {} } }).rules[rule];
}

/** Whether automatic training runs: as set, or (unset) only against a Redis the admin named. */
export function autotrainEnabled(settings: NeuralSettings, redisConfigured: boolean): boolean {
  return settings.autotrain ?? redisConfigured;
}
