import { existsSync, readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { type NeuralConfig, NeuralConfigError, parseNeuralConfig } from '../neural/neural-config.js';
import type { NeuralSettings, TrainTriggerMode } from '../neural/neural-options.js';
import { ConfigError } from './config-error.js';
import type { Section } from './setting.js';
import { parseBool, parseChoice } from './value-parsers.js';

const TRIGGERS: readonly TrainTriggerMode[] = ['rspamd', 'balanced'];
const lockOwner = (): string => `fuzzyd@${osHostname()}`;

/**
 * The neural module's settings. They are read and checked at start like every other setting, whether or not
 * FUZZYD_REDIS_URL is set: a mistake shows when it is made, not on the day Redis is added.
 */
export const NEURAL_SETTINGS: Section<NeuralSettings> = {
  config: {
    env: 'FUZZYD_NEURAL_CONFIG',
    file: 'neural',
    default: () => parseNeuralConfig({}),
    parse: parseNeuralText,
    parseObject: (value, key) => neuralObject(value, key),
    blankEnvIsUnset: true,
  },
  // Unset: on only with a Redis the admin named. A fuzzyd that found rspamd's Redis at the default address shows the
  // neural data but does not start training rspamd's sets until told to.
  autotrain: {
    env: 'FUZZYD_NEURAL_AUTOTRAIN',
    default: () => null,
    parse: (text, key) => (text.trim() === '' ? null : parseBool(text, key, true)),
  },
  trigger: {
    env: 'FUZZYD_NEURAL_TRIGGER',
    default: 'rspamd',
    // An empty value is the default, as for the switches.
    parse: (text, key) => (text.trim() === '' ? 'rspamd' : parseChoice(text.trim(), key, TRIGGERS)),
  },
  pca: { env: 'FUZZYD_NEURAL_PCA', default: 'false', parse: (text, key) => parseBool(text, key, false) },
  qualityGate: { env: 'FUZZYD_NEURAL_QUALITY_GATE', default: 'false', parse: (text, key) => parseBool(text, key, false) },
  // rspamd writes its bare host name; `fuzzyd@` tells an admin reading the lock which trainer holds it.
  hostname: { env: 'FUZZYD_NEURAL_HOSTNAME', default: () => lockOwner(), parse: (text) => text.trim() || lockOwner() },
};

/**
 * rspamd's `neural` module settings as JSON: inline when the text starts with `{`, otherwise the path of a JSON file.
 * A file may hold the `neural` object itself or `{ "neural": { ... } }`.
 */
function parseNeuralText(text: string, key: string): NeuralConfig {
  const source = text.trim();
  let json = source;
  if (!source.startsWith('{')) {
    if (!existsSync(source)) throw new ConfigError(key, `names file '${source}', which does not exist`);
    json = readFileSync(source, 'utf8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new ConfigError(key, `is not valid JSON: ${(err as Error).message}`);
  }
  const wrapper = parsed as { neural?: unknown } | null;
  const wrapped = typeof wrapper === 'object' && wrapper !== null && Object.keys(wrapper).join() === 'neural';
  return neuralObject(wrapped ? wrapper.neural : parsed, key);
}

/** Checks the module object; the message names the variable (or file key) and the field inside it. */
function neuralObject(value: unknown, key: string): NeuralConfig {
  try {
    return parseNeuralConfig(value);
  } catch (err) {
    if (err instanceof NeuralConfigError) throw new ConfigError(key, `${err.field} ${err.problem}`);
    throw err;
  }
}
