import { ConfigError } from './config-error.js';
import { parseDurationSeconds } from './duration.js';

/**
 * One parser per kind of value, shared by every setting of that kind (config/fuzzy-settings.ts,
 * config/neural-settings.ts). `key` names where the text came from; every refusal starts with it.
 */

const TRUE_WORDS = /^(1|true|yes|on)$/i;
const FALSE_WORDS = /^(0|false|no|off)$/i;

/**
 * A switch: `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0` in any case, blanks around ignored. An empty text means
 * "not said", so it is the default — the rule both former parsers agreed on for default-on switches.
 */
export function parseBool(text: string, key: string, fallback: boolean): boolean {
  const trimmed = text.trim();
  if (trimmed === '') return fallback;
  if (TRUE_WORDS.test(trimmed)) return true;
  if (FALSE_WORDS.test(trimmed)) return false;
  throw new ConfigError(key, `'${text}' is not a boolean (true/false, yes/no, on/off or 1/0)`);
}

/** A whole number from `min` to `max` (digits only: no sign, fraction or exponent). */
export function parseWholeNumber(text: string, key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(key, `'${text}' is not a whole number ${range}`);
  }
  return value;
}

/** One of a fixed set of words, compared exactly. */
export function parseChoice<T extends string>(text: string, key: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new ConfigError(key, `'${text}' must be one of ${choices.join(', ')}`);
}

/** rspamd's time syntax (duration.ts), from `minSeconds` (inclusive, or exclusive when 0) to `maxSeconds`. */
export function parseDuration(text: string, key: string, minSeconds: number, maxSeconds = Infinity): number {
  const seconds = parseDurationSeconds(text, key);
  const tooSmall = minSeconds === 0 ? !(seconds > 0) : !(seconds >= minSeconds);
  if (tooSmall || seconds > maxSeconds) {
    const lower = minSeconds === 0 ? 'greater than 0' : `at least ${minSeconds}s`;
    const upper = maxSeconds === Infinity ? '' : ` and at most ${maxSeconds}s`;
    throw new ConfigError(key, `'${text}' must be ${lower}${upper}`);
  }
  return seconds;
}

/** Text that may be absent: empty (or blank) reads as not set. */
export function parseOptionalText(text: string): string | null {
  return text.trim() === '' ? null : text;
}

/** Comma-separated items; empty items (`a,,b`, a trailing comma) are dropped. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
