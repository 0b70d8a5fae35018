import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';
import { parseUcl } from './ucl.js';

/** The variable that names the configuration file (JSON, or rspamd's UCL as in a `worker-fuzzy.inc`). */
export const CONFIG_FILE_ENV = 'FUZZYD_CONFIG';

export interface ConfigFile {
  /** Where it was read from, for messages; empty when there is no file. */
  path: string;
  values: Readonly<Record<string, unknown>>;
}

const NO_FILE: ConfigFile = { path: '', values: {} };

/**
 * Reads the object at `path` and refuses keys that no setting reads: a misspelt `allow_updates` would otherwise
 * be dropped without a word and fuzzyd would run with the default the admin meant to replace.
 */
export function readConfigFile(path: string | undefined, knownKeys: ReadonlySet<string>): ConfigFile {
  if (!path) return NO_FILE;
  if (!existsSync(path)) throw new ConfigError(CONFIG_FILE_ENV, `file '${path}' does not exist`);
  let parsed: unknown;
  const text = readFileSync(path, 'utf8');
  try {
    // JSON is UCL too, but JSON.parse's messages are the ones a JSON author knows.
    parsed = text.trimStart().startsWith('{') ? JSON.parse(text) : parseUcl(text);
  } catch (err) {
    throw new ConfigError(CONFIG_FILE_ENV, `'${path}' is not valid: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(CONFIG_FILE_ENV, `'${path}' is not valid: not an object of settings`);
  }
  for (const key of Object.keys(parsed)) {
    if (!knownKeys.has(key)) {
      const known = [...knownKeys].sort().join(', ');
      throw new ConfigError(CONFIG_FILE_ENV, `'${path}' has the unknown key '${key}' (known keys: ${known})`);
    }
  }
  return { path, values: parsed as Record<string, unknown> };
}
