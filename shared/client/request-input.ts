/**
 * Validation of caller-supplied request fields, shared by FuzzyClient and the CLI. The rules are the admin API's
 * (shared/api/formats.ts): a digest, a flag or a weight that the CLI takes is one the REST API takes too.
 */
import { Value } from 'typebox/value';
import { Flag, FLAG_MAX, isDigestHex, Weight } from '../api/formats.js';
import { DIGEST_BYTES, SHINGLE_COUNT } from '../protocol/constants.js';
import { ClientInputError } from './client-errors.js';

const MAX_U64 = (1n << 64n) - 1n;

/** A digest as 64 raw bytes or as 128 hex digits. */
export type DigestInput = Uint8Array | string;

export function toDigest(input: DigestInput): Buffer {
  if (typeof input === 'string') {
    if (!isDigestHex(input)) {
      throw new ClientInputError(`digest must be ${DIGEST_BYTES * 2} hex characters, got ${input.length} characters`);
    }
    return Buffer.from(input, 'hex');
  }
  if (input.length !== DIGEST_BYTES) throw new ClientInputError(`digest must be ${DIGEST_BYTES} bytes, got ${input.length}`);
  return Buffer.from(input);
}

export function checkFlag(flag: number): number {
  if (!Value.Check(Flag, flag)) throw new ClientInputError(`flag must be an integer 0..${FLAG_MAX}, got ${flag}`);
  return flag;
}

export function checkValue(value: number): number {
  if (!Value.Check(Weight, value)) throw new ClientInputError(`value must be a signed 32-bit integer, got ${value}`);
  return value;
}

export function checkShingles(shingles: readonly bigint[]): readonly bigint[] {
  if (shingles.length !== SHINGLE_COUNT) throw new ClientInputError(`need exactly ${SHINGLE_COUNT} shingles, got ${shingles.length}`);
  for (const s of shingles) {
    if (s < 0n || s > MAX_U64) throw new ClientInputError(`shingle ${s} is not an unsigned 64-bit value`);
  }
  return shingles;
}
