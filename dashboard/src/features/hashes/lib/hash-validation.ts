import { FLAG_MAX, HashCreate, HashPatch, I32_MAX, I32_MIN, isDigestHex, isHex, isU64Decimal, MAX_FLAGS_PER_HASH, schemaProblem } from '../../../lib/api-schemas';
import type { HashFlagValue } from '../../../lib/api-types';

/**
 * The hash forms' checks. Bounds and formats are shared/api's (the server checks with the same ones); the texts are
 * the dashboard's own, written for a person at a form rather than for an API client.
 */
export type FieldErrors = Partial<Record<'digest' | 'flag' | 'value' | 'shingles' | 'body', string>>;

/** The prefix search box: lowercase hex, at most a whole digest. Returns an error message or null. */
export function prefixError(prefix: string): string | null {
  if (!isHex(prefix) || prefix !== prefix.toLowerCase()) return 'Use hexadecimal characters only (0-9, a-f)';
  if (prefix.length > 128) return 'A digest has 128 hex characters';
  return null;
}

export function normalizePrefix(text: string): string {
  return text.trim().toLowerCase();
}

function flagError(text: string): string | null {
  if (text.trim() === '') return 'Enter a flag (0–255)';
  if (!/^\d+$/.test(text.trim()) || Number(text) > FLAG_MAX) return `A flag is a whole number from 0 to ${FLAG_MAX}`;
  return null;
}

function valueError(text: string): string | null {
  if (text.trim() === '') return 'Enter a value';
  if (!/^-?\d+$/.test(text.trim())) return 'The value is a whole number';
  const n = Number(text);
  if (n < I32_MIN || n > I32_MAX) return `The value must fit in 32 bits (±${I32_MAX})`;
  return null;
}

/** 32 unsigned 64-bit numbers separated by commas, spaces or newlines; empty means "no shingles". */
export function parseShinglesText(text: string): { shingles?: string[]; error?: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return {};
  if (parts.length !== 32) return { error: `Give exactly 32 shingles (got ${parts.length}), or none` };
  for (const [i, p] of parts.entries()) {
    if (!isU64Decimal(p)) return { error: `Shingle ${i + 1} is not an unsigned 64-bit number` };
  }
  return { shingles: parts.map((p) => BigInt(p).toString()) };
}

export interface HashFormValues {
  digest: string;
  flag: string;
  value: string;
  shingles: string;
}

/** Checks the add form the way the API would, so most mistakes are shown before a round trip. */
export function validateHashForm(v: HashFormValues): { errors: FieldErrors; body?: HashCreate } {
  const errors: FieldErrors = {};
  const digest = v.digest.trim().toLowerCase();
  if (digest === '') errors.digest = 'Enter the digest';
  else if (!isDigestHex(digest)) errors.digest = `A digest is 128 hex characters (got ${digest.length})`;
  const flag = flagError(v.flag);
  if (flag) errors.flag = flag;
  const value = valueError(v.value);
  if (value) errors.value = value;
  const shingles = parseShinglesText(v.shingles);
  if (shingles.error) errors.shingles = shingles.error;
  if (Object.keys(errors).length > 0) return { errors };
  const body: HashCreate = { digest, flag: Number(v.flag), value: Number(v.value) };
  if (shingles.shingles) body.shingles = shingles.shingles;
  // The API's own schema has the last word, so the form cannot send what the server would refuse.
  const problem = schemaProblem(HashCreate, body);
  if (problem) return { errors: { [problem.field.split(/[.[]/)[0]]: problem.message } };
  return { errors, body };
}

/** rspamd ≥ 4.0 keeps up to 8 (flag, value) slots per hash; the server refuses more (flagListError). */
export const MAX_FLAGS = MAX_FLAGS_PER_HASH;

export interface FlagRowValues {
  flag: string;
  value: string;
}

export interface FlagListErrors {
  /** Per row, in row order (empty objects for rows without a problem). */
  rows: { flag?: string; value?: string }[];
  /** About the list as a whole. */
  list?: string;
}

export function hasFlagListErrors(errors: FlagListErrors): boolean {
  return errors.list !== undefined || errors.rows.some((r) => r.flag !== undefined || r.value !== undefined);
}

/**
 * Checks the flag list editor the way the API checks `flags` (1..8 slots, flags 0..255 each once, 32-bit values), so
 * most mistakes show next to their row before a round trip; an unchanged list is an error of its own.
 */
export function validateFlagList(current: readonly HashFlagValue[], rows: readonly FlagRowValues[]): { errors: FlagListErrors; flags?: HashFlagValue[] } {
  const errors: FlagListErrors = { rows: rows.map(() => ({})) };
  if (rows.length === 0) errors.list = 'Keep at least one flag (to remove the hash, delete it)';
  else if (rows.length > MAX_FLAGS) errors.list = `A hash holds at most ${MAX_FLAGS} flags`;
  const firstRow = new Map<number, number>();
  rows.forEach((row, i) => {
    const flag = flagError(row.flag);
    if (flag) errors.rows[i].flag = flag;
    const value = valueError(row.value);
    if (value) errors.rows[i].value = value;
    if (flag) return;
    const n = Number(row.flag);
    const earlier = firstRow.get(n);
    if (earlier === undefined) firstRow.set(n, i);
    else errors.rows[i].flag = `Flag ${n} is already in slot ${earlier + 1}`;
  });
  if (hasFlagListErrors(errors)) return { errors };
  const flags = rows.map((r) => ({ flag: Number(r.flag), value: Number(r.value) }));
  // As for the add form, the API's HashPatch schema has the last word.
  const problem = schemaProblem(HashPatch, { flags });
  if (problem) return { errors: { ...errors, list: problem.message } };
  const same = flags.length === current.length && flags.every((f, i) => f.flag === current[i].flag && f.value === current[i].value);
  if (same) return { errors: { ...errors, list: 'Nothing changed' } };
  return { errors, flags };
}
