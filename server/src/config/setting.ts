import { ConfigError } from './config-error.js';
import type { ConfigFile } from './config-file.js';

export type Env = Record<string, string | undefined>;

/**
 * One setting as the loader reads it: a `FUZZYD_*` variable, the key of the FUZZYD_CONFIG file that may set it too,
 * and its default. The README's Configuration table lists exactly these (test/unit/config/readme-table.test.ts).
 */
export interface Setting<T> {
  env: `FUZZYD_${string}`;
  /** Key in the FUZZYD_CONFIG file, rspamd's option name where rspamd has the option; absent: environment only. */
  file?: string;
  /** The default as an admin would write it (parsed like their text, and shown in the README), or computed at start. */
  default: string | (() => T);
  /** Reads the variable's text, or a file value that is a string, number, boolean or list of them (joined by commas). */
  parse(text: string, key: string): T;
  /** Reads a file value that is an object or a list of objects (keypairs, the neural module); others refuse those. */
  parseObject?(value: unknown, key: string): T;
  /** An empty variable counts as unset, so the file's value applies; otherwise an empty variable is parsed and wins. */
  blankEnvIsUnset?: boolean;
}

/** A section of the configuration: one setting per field. */
export type Section<T> = { [K in keyof T]-?: Setting<T[K]> };

/** Every field of a section: the variable if set, else the file's key, else the default. */
export function readSection<T>(section: Section<T>, env: Env, file: ConfigFile): T {
  const values = {} as T;
  for (const field of Object.keys(section) as (keyof T)[]) values[field] = readSetting(section[field], env, file);
  return values;
}

/** Where a setting's value came from at start; the admin API adds `rest` (access/settings). */
export type SettingSource = 'env' | 'file' | 'default';

/** Which of the three gave each field its value, by the same precedence readSection follows. */
export function readSources<T>(section: Section<T>, env: Env, file: ConfigFile): Record<keyof T, SettingSource> {
  const sources = {} as Record<keyof T, SettingSource>;
  for (const field of Object.keys(section) as (keyof T)[]) sources[field] = sourceOf(section[field], env, file);
  return sources;
}

function sourceOf<T>(setting: Setting<T>, env: Env, file: ConfigFile): SettingSource {
  const envText = env[setting.env];
  if (envText !== undefined && !(setting.blankEnvIsUnset && envText.trim() === '')) return 'env';
  const fileValue = setting.file === undefined ? undefined : file.values[setting.file];
  return fileValue !== undefined && fileValue !== null ? 'file' : 'default';
}

function readSetting<T>(setting: Setting<T>, env: Env, file: ConfigFile): T {
  const envText = env[setting.env];
  if (envText !== undefined && !(setting.blankEnvIsUnset && envText.trim() === '')) {
    return setting.parse(envText, setting.env);
  }
  const fileValue = setting.file === undefined ? undefined : file.values[setting.file];
  if (fileValue !== undefined && fileValue !== null) {
    const key = `${setting.file} in ${file.path}`;
    const text = scalarText(fileValue);
    if (text !== undefined) return setting.parse(text, key);
    if (setting.parseObject) return setting.parseObject(fileValue, key);
    throw new ConfigError(key, `must be a string, a number, a boolean or a list of them (got ${JSON.stringify(fileValue)})`);
  }
  return typeof setting.default === 'string' ? setting.parse(setting.default, setting.env) : setting.default();
}

/** A file value as the text the variable would hold: lists become comma-separated; objects have no text form. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((item) => scalarText(item) !== undefined && !Array.isArray(item))) {
    return value.map(String).join(',');
  }
  return undefined;
}
