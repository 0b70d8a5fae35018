import type { HashCreate, HashPatch } from '../../../lib/api-types';

export type FieldErrors = Partial<Record<'digest' | 'flag' | 'value' | 'shingles' | 'body', string>>;

const HEX = /^[0-9a-f]*$/;
const U64_MAX = 18446744073709551615n;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/** The prefix search box: lowercase hex, at most a whole digest. Returns an error message or null. */
export function prefixError(prefix: string): string | null {
  if (!HEX.test(prefix)) return 'Use hexadecimal characters only (0-9, a-f)';
  if (prefix.length > 128) return 'A digest has 128 hex characters';
  return null;
}

export function normalizePrefix(text: string): string {
  return text.trim().toLowerCase();
}

function flagError(text: string): string | null {
  if (text.trim() === '') return 'Enter a flag (0–255)';
  if (!/^\d+$/.test(text.trim()) || Number(text) > 255) return 'A flag is a whole number from 0 to 255';
  return null;
}

function valueError(text: string): string | null {
  if (text.trim() === '') return 'Enter a value';
  if (!/^-?\d+$/.test(text.trim())) return 'The value is a whole number';
  const n = Number(text);
  if (n < I32_MIN || n > I32_MAX) return 'The value must fit in 32 bits (±2147483647)';
  return null;
}

/** 32 unsigned 64-bit numbers separated by commas, spaces or newlines; empty means "no shingles". */
export function parseShinglesText(text: string): { shingles?: string[]; error?: string } {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) return {};
  if (parts.length !== 32) return { error: `Give exactly 32 shingles (got ${parts.length}), or none` };
  for (const [i, p] of parts.entries()) {
    if (!/^\d{1,20}$/.test(p) || BigInt(p) > U64_MAX) return { error: `Shingle ${i + 1} is not an unsigned 64-bit number` };
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
  else if (!HEX.test(digest) || digest.length !== 128) errors.digest = `A digest is 128 hex characters (got ${digest.length})`;
  const flag = flagError(v.flag);
  if (flag) errors.flag = flag;
  const value = valueError(v.value);
  if (value) errors.value = value;
  const shingles = parseShinglesText(v.shingles);
  if (shingles.error) errors.shingles = shingles.error;
  if (Object.keys(errors).length > 0) return { errors };
  const body: HashCreate = { digest, flag: Number(v.flag), value: Number(v.value) };
  if (shingles.shingles) body.shingles = shingles.shingles;
  return { errors, body };
}

/** The edit form sends only what changed; nothing changed is an error of its own. */
export function validatePatch(current: { flag: number; value: number }, v: { flag: string; value: string }): { errors: FieldErrors; patch?: HashPatch } {
  const errors: FieldErrors = {};
  const flag = flagError(v.flag);
  if (flag) errors.flag = flag;
  const value = valueError(v.value);
  if (value) errors.value = value;
  if (Object.keys(errors).length > 0) return { errors };
  const patch: HashPatch = {};
  if (Number(v.flag) !== current.flag) patch.flag = Number(v.flag);
  if (Number(v.value) !== current.value) patch.value = Number(v.value);
  if (patch.flag === undefined && patch.value === undefined) return { errors: { body: 'Nothing changed' } };
  return { errors, patch };
}
