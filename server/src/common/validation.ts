import { DIGEST_BYTES, SHINGLE_COUNT } from '../../../shared/protocol/constants.js';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { FlagValue } from '../../../shared/protocol/types.js';
import { flagListError } from '../fuzzy/update-rule.js';
import { ValidationError } from './api-error.js';

/**
 * Small pure validators for request input. Each takes the raw value and the name of the field it came from, and
 * either returns the typed value or throws ValidationError naming that field, so no bad input can reach the store.
 */

const HEX_DIGEST = /^[0-9a-fA-F]{128}$/;
const HEX_PREFIX = /^[0-9a-fA-F]{1,128}$/;
const DECIMAL = /^\d{1,20}$/;
const U64_MAX = (1n << 64n) - 1n;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : `'${value}'`;
  if (typeof value === 'object') return 'an object';
  return String(value);
}

export function requireObject(value: unknown, field = 'body'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `must be a JSON object (got ${describe(value)})`);
  }
  return value as Record<string, unknown>;
}

/** Typos such as `flg` for `flag` would otherwise be ignored silently. `path` names a nested object (`flags[0]`). */
export function rejectUnknownFields(body: Record<string, unknown>, allowed: readonly string[], path = ''): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new ValidationError(path ? `${path}.${key}` : key, `unknown field (expected ${allowed.join(', ')})`);
  }
}

/** A digest as 128 hex characters (either case) → its 64 bytes. */
export function parseDigestHex(value: unknown, field = 'digest'): Buffer {
  if (typeof value !== 'string' || !HEX_DIGEST.test(value)) {
    const got = typeof value === 'string' ? `${value.length} characters` : describe(value);
    throw new ValidationError(field, `must be ${DIGEST_BYTES * 2} hex characters (got ${got})`);
  }
  return Buffer.from(value, 'hex');
}

/** 1..128 hex characters, lowercased. Odd lengths are allowed (half a byte). */
export function parseHexPrefix(value: unknown, field = 'prefix'): string {
  if (typeof value !== 'string' || !HEX_PREFIX.test(value)) {
    throw new ValidationError(field, `must be 1 to 128 hex characters (got ${describe(value)})`);
  }
  return value.toLowerCase();
}

/** An integer from a JSON body. */
export function parseIntField(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(field, `must be an integer in ${min}..${max} (got ${describe(value)})`);
  }
  return value;
}

/** An integer from a path segment or query string (decimal digits, optional minus sign). */
export function parseIntParam(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'string' || !/^-?\d{1,16}$/.test(value)) {
    throw new ValidationError(field, `must be an integer in ${min}..${max} (got ${describe(value)})`);
  }
  return parseIntField(Number(value), field, min, max);
}

export const parseFlag = (value: unknown, field = 'flag'): number => parseIntField(value, field, 0, 255);
export const parseFlagParam = (value: unknown, field = 'flag'): number => parseIntParam(value, field, 0, 255);
/** Weights travel as signed 32-bit integers in the fuzzy protocol. */
export const parseValue = (value: unknown, field = 'value'): number => parseIntField(value, field, I32_MIN, I32_MAX);

/** Exactly 32 unsigned 64-bit shingles, as decimal strings (or numbers, when they are safe integers). */
export function parseShingles(value: unknown, field = 'shingles'): ShingleBlock {
  if (!Array.isArray(value) || value.length !== SHINGLE_COUNT) {
    const got = Array.isArray(value) ? `${value.length} items` : describe(value);
    throw new ValidationError(field, `must be an array of ${SHINGLE_COUNT} unsigned 64-bit integers (got ${got})`);
  }
  const values = value.map((item: unknown, i) => {
    if (typeof item === 'number' && Number.isSafeInteger(item) && item >= 0) return BigInt(item);
    if (typeof item === 'string' && DECIMAL.test(item)) {
      const n = BigInt(item);
      if (n <= U64_MAX) return n;
    }
    throw new ValidationError(`${field}[${i}]`, `must be an unsigned 64-bit integer as a decimal string (got ${describe(item)})`);
  });
  return ShingleBlock.fromBigInts(values);
}

/**
 * A hash's (flag, value) slots, primary first: 1..8 of them, no flag twice (update-rule.ts's flagListError). An entry's
 * `flagName` is accepted and ignored, so the `flags` of a listed hash can be sent back as they are.
 */
export function parseFlagList(value: unknown, field = 'flags'): FlagValue[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `must be an array of {flag, value} objects (got ${describe(value)})`);
  const flags = value.map((item: unknown, i) => {
    const path = `${field}[${i}]`;
    const slot = requireObject(item, path);
    rejectUnknownFields(slot, ['flag', 'value', 'flagName'], path);
    return { flag: parseFlag(slot.flag, `${path}.flag`), value: parseValue(slot.value, `${path}.value`) };
  });
  const error = flagListError(flags);
  if (error) throw new ValidationError(field, error);
  return flags;
}

export interface StringRules {
  max: number;
  /** Whether `undefined` is allowed (returns undefined). */
  optional?: boolean;
  /** Whether `null` is allowed (returns null). */
  nullable?: boolean;
  /** Whether the empty string (after trimming) is allowed. */
  allowEmpty?: boolean;
}

export function parseString(value: unknown, field: string, rules: StringRules & { optional: true; nullable: true }): string | null | undefined;
export function parseString(value: unknown, field: string, rules: StringRules & { nullable: true }): string | null;
export function parseString(value: unknown, field: string, rules: StringRules): string;
export function parseString(value: unknown, field: string, rules: StringRules): string | null | undefined {
  if (value === undefined && rules.optional) return undefined;
  if (value === null && rules.nullable) return null;
  if (typeof value !== 'string') throw new ValidationError(field, `must be a string (got ${describe(value)})`);
  const text = value.trim();
  if (!text && !rules.allowEmpty) throw new ValidationError(field, 'must not be empty');
  if (text.length > rules.max) throw new ValidationError(field, `must be at most ${rules.max} characters (got ${text.length})`);
  // Control characters would end up in logs and in the dashboard's tables.
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new ValidationError(field, 'must not contain control characters');
  return text;
}

export function optional<T>(value: unknown, parse: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : parse(value);
}
