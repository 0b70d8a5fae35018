import { DigestHex, FLAG_MAX } from '../../../shared/api/formats.js';
import { describe, schemaProblem } from '../../../shared/api/schema-problem.js';
import { ValidationError } from './api-error.js';

/**
 * Validators for path segments, which arrive as text one at a time (bodies and query strings are checked against
 * their shared/api schema, schema-input.ts). Each takes the raw value and the name of the field it came from, and
 * either returns the typed value or throws ValidationError naming that field, so no bad input can reach the store.
 */

/** A digest as 128 hex characters (either case) → its 64 bytes; checked by the schema bodies use, so it reads the same. */
export function parseDigestHex(value: unknown, field = 'digest'): Buffer {
  const problem = schemaProblem(DigestHex, value, field);
  if (problem) throw new ValidationError(problem.field, problem.message);
  return Buffer.from(value as string, 'hex');
}

/** An integer from a path segment (decimal digits, optional minus sign). */
export function parseIntParam(value: unknown, field: string, min: number, max: number): number {
  const n = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ValidationError(field, `must be an integer in ${min}..${max} (got ${Number.isNaN(n) ? describe(value) : n})`);
  }
  return n;
}

export const parseFlagParam = (value: unknown, field = 'flag'): number => parseIntParam(value, field, 0, FLAG_MAX);

/** A name from a path segment (neural rules and settings become parts of Redis keys): trimmed, bounded, printable. */
export function parseNameParam(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string') throw new ValidationError(field, `must be a string (got ${describe(value)})`);
  const text = value.trim();
  if (!text) throw new ValidationError(field, 'must not be empty');
  if (text.length > max) throw new ValidationError(field, `must be at most ${max} characters (got ${text.length})`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new ValidationError(field, 'must not contain control characters');
  return text;
}
