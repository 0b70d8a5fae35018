import { hostname as osHostname } from 'node:os';
import { loadNeuralConfig, type NeuralConfig, NeuralConfigError, parseNeuralConfig, type NeuralRuleConfig } from './neural-config.js';

/**
 * When the automatic trigger trains (spec/neural.md §7 step 4):
 * - `rspamd`: what 3.4 actually does — one class reached `max_trains` and the other is not empty;
 * - `balanced`: what 3.4 meant to do (its `learn_type` typo disables it) — both classes reached
 *   max_trains × (1 − classes_bias) when the rule's learn_mode is balanced; proportional rules use the rspamd test.
 */
export type TrainTriggerMode = 'rspamd' | 'balanced';

/** Everything the neural module needs besides Redis' address, validated once at boot. */
export interface NeuralSettings {
  config: NeuralConfig;
  /** `FUZZYD_NEURAL_AUTOTRAIN` (default true): train every `watch_interval` when the trigger says so. */
  autotrain: boolean;
  /** `FUZZYD_NEURAL_TRIGGER` (default `rspamd`). */
  trigger: TrainTriggerMode;
  /** Written into `hostname` when fuzzyd takes a training lock (`FUZZYD_NEURAL_HOSTNAME`, default os.hostname()). */
  hostname: string;
}

/**
 * The application config may carry these already (tests build it that way); otherwise the module reads the same
 * variables from the process environment at boot.
 */
export interface WithNeuralSettings {
  redisUrl: string | null;
  neural?: NeuralSettings;
}

type Env = Record<string, string | undefined>;

export function loadNeuralSettings(env: Env = process.env): NeuralSettings {
  return {
    config: loadNeuralConfig(env),
    autotrain: parseBool(env.FUZZYD_NEURAL_AUTOTRAIN, 'FUZZYD_NEURAL_AUTOTRAIN', true),
    trigger: parseTrigger(env.FUZZYD_NEURAL_TRIGGER),
    hostname: env.FUZZYD_NEURAL_HOSTNAME?.trim() || osHostname(),
  };
}

/**
 * Train parameters of a rule. A set found only in Redis (its rule is not configured) gets rspamd's defaults, named
 * by its rule prefix, so it can still be inspected and trained on demand.
 */
export function ruleConfig(config: NeuralConfig, rule: string): NeuralRuleConfig {
  return config.rules[rule] ?? parseNeuralConfig({ rules: { [rule]: {} } }).rules[rule];
}

function parseBool(text: string | undefined, name: string, fallback: boolean): boolean {
  if (text === undefined || text.trim() === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(text.trim())) return true;
  if (/^(0|false|no|off)$/i.test(text.trim())) return false;
  throw new NeuralConfigError(name, `must be true or false (got '${text}')`);
}

function parseTrigger(text: string | undefined): TrainTriggerMode {
  const value = text?.trim() || 'rspamd';
  if (value === 'rspamd' || value === 'balanced') return value;
  throw new NeuralConfigError('FUZZYD_NEURAL_TRIGGER', `must be 'rspamd' or 'balanced' (got '${text}')`);
}
