import { parseDurationSeconds } from '../config/duration.js';
import { sortSymbols } from './redis/symbols-digest.js';

/**
 * Configuration of the neural data layer, shaped like rspamd's `neural { ... }` module with its 3.4 defaults
 * (spec/neural.md §2). Option names are rspamd's own, so an admin can paste values from rspamd's config.
 */
export type LearnMode = 'balanced' | 'proportional';

export interface NeuralTrainConfig {
  max_trains: number;
  max_iterations: number;
  learning_rate: number;
  learn_mode: LearnMode;
  classes_bias: number;
  spam_skip_prob: number;
  ham_skip_prob: number;
  train_prob: number;
}

export interface NeuralRuleConfig {
  /** The key in `rules`. */
  name: string;
  /** R in the key names (§3); defaults to the rule name. */
  prefix: string;
  /** Settings element names this rule serves (`default` = messages without a settings id). */
  settings: string[];
  /** Static profiles: settings name → sorted symbols (rspamd's `profile`). Other settings use dynamic profiles. */
  symbols: Record<string, string[]>;
  train: NeuralTrainConfig;
  ann_expire: number;
  hidden_layer_mult: number;
  max_inputs?: number;
  watch_interval: number;
  /** rspamd 4.x funnel network options (neural-4x.md §4.1-4.2); setting any of the first three selects that network. */
  layers?: number[];
  dropout?: number;
  use_layernorm?: boolean;
  /** `gelu` (4.x default) or `relu`; rspamd treats any other value as ReLU, we refuse it. Only for the funnel network. */
  activation?: 'gelu' | 'relu';
  /** Compute ROC thresholds at training (rspamd ≥ 4.0's corrected computation, neural-4x.md §4.5). */
  roc_enabled: boolean;
  roc_misclassification_cost: number;
}

export interface NeuralConfig {
  /** P in the key names (§3). */
  prefix: string;
  max_profiles: number;
  rules: Record<string, NeuralRuleConfig>;
}

export const DEFAULT_TRAIN: Readonly<NeuralTrainConfig> = Object.freeze({
  max_trains: 1000,
  max_iterations: 25,
  learning_rate: 0.01,
  learn_mode: 'balanced',
  classes_bias: 0,
  spam_skip_prob: 0,
  ham_skip_prob: 0,
  train_prob: 1,
});

export const NEURAL_DEFAULTS = Object.freeze({
  prefix: 'rn',
  max_profiles: 3,
  ann_expire: 172_800,
  hidden_layer_mult: 1.5,
  watch_interval: 60,
  roc_misclassification_cost: 0.5,
});

export class NeuralConfigError extends Error {
  override readonly name = 'NeuralConfigError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`neural config: ${field} ${problem}`);
  }
}

type Obj = Record<string, unknown>;

const MODULE_KEYS = new Set(['prefix', 'max_profiles', 'rules']);
/** rspamd module options we accept so a pasted config loads, but do not use here (§2). */
const MODULE_IGNORED = new Set(['allow_local', 'blacklisted_symbols', 'servers', 'redis', 'enabled']);
const RULE_KEYS = new Set([
  'name', 'prefix', 'settings', 'symbols', 'profile', 'train', 'ann_expire', 'hidden_layer_mult', 'max_inputs',
  'watch_interval', 'layers', 'dropout', 'use_layernorm', 'activation', 'roc_enabled', 'roc_misclassification_cost',
]);
const RULE_IGNORED = new Set([
  'symbol_spam', 'symbol_ham', 'spam_score_threshold', 'ham_score_threshold', 'flat_threshold_curve', 'allowed_settings', 'default', 'lock_expire', 'disable_symbols_input', 'servers',
]);
const TRAIN_KEYS = new Set([...Object.keys(DEFAULT_TRAIN), 'max_train']);
const TRAIN_IGNORED = new Set([
  'autotrain', 'spam_score', 'ham_score', 'store_pool_only', 'max_epoch', 'max_usages', 'mse', 'learn_threads',
]);

/**
 * Validates and completes a `neural` object. Without `rules`, the whole object is one rule named `default` — as
 * rspamd does (its `prefix` then names both the module and the rule). Without any input: one `default` rule.
 */
export function parseNeuralConfig(input: unknown = {}): NeuralConfig {
  const obj = asObject(input, '(root)');
  const legacy = obj.rules === undefined;
  if (!legacy) checkKeys(obj, '', MODULE_KEYS, MODULE_IGNORED);
  const prefix = obj.prefix === undefined ? NEURAL_DEFAULTS.prefix : nonEmptyString(obj.prefix, 'prefix');
  const maxProfiles =
    obj.max_profiles === undefined ? NEURAL_DEFAULTS.max_profiles : integer(obj.max_profiles, 'max_profiles', 1);

  // Keyed by names that come from requests too: without a prototype, `__proto__` or `constructor` is just a name.
  const rules: Record<string, NeuralRuleConfig> = Object.create(null);
  if (legacy) {
    const ruleObj: Obj = {};
    for (const [k, v] of Object.entries(obj)) if (!MODULE_KEYS.has(k) || k === 'prefix') ruleObj[k] = v;
    for (const k of Object.keys(ruleObj)) if (MODULE_IGNORED.has(k)) delete ruleObj[k];
    rules.default = parseRule('default', ruleObj, '');
  } else {
    const ruleMap = asObject(obj.rules, 'rules');
    if (Object.keys(ruleMap).length === 0) throw new NeuralConfigError('rules', 'must name at least one rule');
    for (const [name, value] of Object.entries(ruleMap)) {
      rules[name] = parseRule(name, asObject(value, `rules.${name}`), `rules.${name}.`);
    }
  }
  const prefixes = new Map<string, string>();
  for (const rule of Object.values(rules)) {
    const other = prefixes.get(rule.prefix);
    // Two rules with one prefix would share (and clobber) each other's keys.
    if (other !== undefined) {
      throw new NeuralConfigError(`rules.${rule.name}.prefix`, `'${rule.prefix}' is also used by rule '${other}'`);
    }
    prefixes.set(rule.prefix, rule.name);
  }
  return { prefix, max_profiles: maxProfiles, rules };
}

function parseRule(name: string, obj: Obj, path: string): NeuralRuleConfig {
  checkKeys(obj, path, RULE_KEYS, RULE_IGNORED);
  const symbolsKey = obj.symbols !== undefined ? 'symbols' : 'profile';
  if (obj.symbols !== undefined && obj.profile !== undefined) {
    throw new NeuralConfigError(`${path}profile`, 'cannot be combined with symbols (it is an alias)');
  }
  const symbols = parseSymbols(obj[symbolsKey], `${path}${symbolsKey}`);
  const settings = parseSettings(obj, path, Object.keys(symbols));
  for (const s of Object.keys(symbols)) {
    if (!settings.includes(s)) {
      const problem = `names settings '${s}', which is not in ${path}settings`;
      throw new NeuralConfigError(`${path}${symbolsKey}.${s}`, problem);
    }
  }
  const rule: NeuralRuleConfig = {
    name,
    prefix: obj.prefix === undefined ? name : nonEmptyString(obj.prefix, `${path}prefix`),
    settings,
    symbols,
    train: parseTrain(obj.train, `${path}train`),
    ann_expire:
      obj.ann_expire === undefined ? NEURAL_DEFAULTS.ann_expire : wholeSeconds(obj.ann_expire, `${path}ann_expire`),
    hidden_layer_mult:
      obj.hidden_layer_mult === undefined
        ? NEURAL_DEFAULTS.hidden_layer_mult
        : positive(obj.hidden_layer_mult, `${path}hidden_layer_mult`),
    watch_interval:
      obj.watch_interval === undefined
        ? NEURAL_DEFAULTS.watch_interval
        : duration(obj.watch_interval, `${path}watch_interval`),
    roc_enabled: obj.roc_enabled === undefined ? false : boolean(obj.roc_enabled, `${path}roc_enabled`),
    roc_misclassification_cost:
      obj.roc_misclassification_cost === undefined
        ? NEURAL_DEFAULTS.roc_misclassification_cost
        : fraction(obj.roc_misclassification_cost, `${path}roc_misclassification_cost`),
  };
  if (obj.max_inputs !== undefined) rule.max_inputs = integer(obj.max_inputs, `${path}max_inputs`, 1);
  parseFunnel(obj, path, rule);
  return rule;
}

/** rspamd 4.x's funnel options, checked as 4.1.5 reads them (NL `create_embedding_ann`). */
function parseFunnel(obj: Obj, path: string, rule: NeuralRuleConfig): void {
  if (obj.layers !== undefined) {
    const where = `${path}layers`;
    if (!Array.isArray(obj.layers) || obj.layers.length === 0 || obj.layers.length > 8) {
      throw new NeuralConfigError(where, `must be a list of 1 to 8 width multipliers (got ${show(obj.layers)})`);
    }
    rule.layers = obj.layers.map((m, i) => {
      if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0 || m > 16) {
        throw new NeuralConfigError(`${where}[${i}]`, `must be a number in (0, 16] (got ${show(m)})`);
      }
      return m;
    });
  }
  if (obj.dropout !== undefined) {
    if (typeof obj.dropout !== 'number' || !(obj.dropout >= 0 && obj.dropout < 1)) {
      throw new NeuralConfigError(`${path}dropout`, `must be a number in [0, 1) (got ${show(obj.dropout)})`);
    }
    rule.dropout = obj.dropout;
  }
  if (obj.use_layernorm !== undefined) rule.use_layernorm = boolean(obj.use_layernorm, `${path}use_layernorm`);
  if (obj.activation !== undefined) {
    if (obj.activation !== 'gelu' && obj.activation !== 'relu') {
      throw new NeuralConfigError(`${path}activation`, `must be 'gelu' or 'relu' (got ${show(obj.activation)})`);
    }
    rule.activation = obj.activation;
  }
}

/** `settings` if given; else rspamd's `allowed_settings` names (plus `default` unless `default = false`). */
function parseSettings(obj: Obj, path: string, staticNames: string[]): string[] {
  let list: string[];
  if (obj.settings !== undefined) {
    list = stringList(obj.settings, `${path}settings`);
  } else {
    const raw = Array.isArray(obj.allowed_settings) ? obj.allowed_settings : [];
    const allowed = raw.filter((x): x is string => typeof x === 'string');
    list = [...(obj.default === false && allowed.length > 0 ? [] : ['default']), ...allowed, ...staticNames];
  }
  const unique = [...new Set(list)];
  if (unique.length === 0) throw new NeuralConfigError(`${path}settings`, 'must list at least one settings name');
  return unique;
}

function parseSymbols(value: unknown, path: string): Record<string, string[]> {
  if (value === undefined) return Object.create(null);
  const out: Record<string, string[]> = Object.create(null);
  for (const [settings, list] of Object.entries(asObject(value, path))) {
    // rspamd accepts a list, or a map whose keys are the symbols (§4.3).
    const where = `${path}.${settings}`;
    const names = Array.isArray(list) ? stringList(list, where) : Object.keys(asObject(list, where));
    if (names.length === 0) throw new NeuralConfigError(`${path}.${settings}`, 'must list at least one symbol');
    out[settings] = sortSymbols([...new Set(names)]);
  }
  return out;
}

function parseTrain(value: unknown, path: string): NeuralTrainConfig {
  const obj = value === undefined ? {} : asObject(value, path);
  checkKeys(obj, `${path}.`, TRAIN_KEYS, TRAIN_IGNORED);
  const t: NeuralTrainConfig = { ...DEFAULT_TRAIN };
  const maxTrains = obj.max_trains ?? obj.max_train; // `max_train` is rspamd's alias (§2)
  const maxTrainsName = obj.max_trains !== undefined ? 'max_trains' : 'max_train';
  if (maxTrains !== undefined) t.max_trains = integer(maxTrains, `${path}.${maxTrainsName}`, 1);
  if (obj.max_iterations !== undefined) t.max_iterations = integer(obj.max_iterations, `${path}.max_iterations`, 1);
  if (obj.learning_rate !== undefined) t.learning_rate = positive(obj.learning_rate, `${path}.learning_rate`);
  if (obj.learn_mode !== undefined) {
    if (obj.learn_mode !== 'balanced' && obj.learn_mode !== 'proportional') {
      const problem = `must be 'balanced' or 'proportional' (got ${show(obj.learn_mode)})`;
      throw new NeuralConfigError(`${path}.learn_mode`, problem);
    }
    t.learn_mode = obj.learn_mode;
  }
  if (obj.classes_bias !== undefined) t.classes_bias = fraction(obj.classes_bias, `${path}.classes_bias`);
  if (obj.spam_skip_prob !== undefined) t.spam_skip_prob = fraction(obj.spam_skip_prob, `${path}.spam_skip_prob`);
  if (obj.ham_skip_prob !== undefined) t.ham_skip_prob = fraction(obj.ham_skip_prob, `${path}.ham_skip_prob`);
  if (obj.train_prob !== undefined) t.train_prob = fraction(obj.train_prob, `${path}.train_prob`);
  return t;
}

function checkKeys(obj: Obj, path: string, known: Set<string>, ignored: Set<string>): void {
  for (const k of Object.keys(obj)) {
    if (!known.has(k) && !ignored.has(k)) throw new NeuralConfigError(`${path}${k}`, 'is not a known option');
  }
}

function asObject(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NeuralConfigError(path, `must be an object (got ${show(value)})`);
  }
  return value as Obj;
}

function nonEmptyString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new NeuralConfigError(path, `must be a non-empty string (got ${show(value)})`);
  }
  return value;
}

function stringList(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) throw new NeuralConfigError(path, `must be a list of strings (got ${show(value)})`);
  return value.map((v, i) => nonEmptyString(v, `${path}[${i}]`));
}

function integer(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new NeuralConfigError(path, `must be an integer >= ${min} (got ${show(value)})`);
  }
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new NeuralConfigError(path, `must be true or false (got ${show(value)})`);
  return value;
}

function positive(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new NeuralConfigError(path, `must be a number > 0 (got ${show(value)})`);
  }
  return value;
}

function fraction(value: unknown, path: string): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new NeuralConfigError(path, `must be a number between 0 and 1 (got ${show(value)})`);
  }
  return value;
}

/** Seconds, or rspamd's time syntax (`2d`, `60s`) as a string. */
function duration(value: unknown, path: string): number {
  let seconds: number;
  if (typeof value === 'number') seconds = value;
  else if (typeof value === 'string') {
    try {
      seconds = parseDurationSeconds(value, path);
    } catch (err) {
      throw new NeuralConfigError(path, `is not a duration: ${(err as Error).message}`);
    }
  } else throw new NeuralConfigError(path, `must be seconds or a duration like '2d' (got ${show(value)})`);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new NeuralConfigError(path, `must be > 0 seconds (got ${show(value)})`);
  }
  return seconds;
}

/** Redis EXPIRE takes whole seconds. */
function wholeSeconds(value: unknown, path: string): number {
  const seconds = duration(value, path);
  if (!Number.isInteger(seconds)) {
    throw new NeuralConfigError(path, `must be a whole number of seconds (got ${show(value)})`);
  }
  return seconds;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
}
