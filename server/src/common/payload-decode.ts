import { isU64Decimal, SHINGLE_ERROR } from '../../../shared/api/formats.js';
import { describe } from '../../../shared/api/schema-problem.js';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { FlagValue } from '../../../shared/protocol/types.js';
import { flagListError } from '../fuzzy/update-rule.js';
import { ValidationError } from './api-error.js';

/**
 * What a payload's schema cannot say in JSON terms, done once after the schema check (schema-input.ts): the typed
 * values the store takes (digest bytes, a ShingleBlock), the u64 bound of a decimal shingle, the no-repeat rule of
 * flag lists, and the trimming of names. Each still names the field at fault.
 */

/** A schema-checked digest (128 hex characters, either case) → its 64 bytes. */
export const decodeDigest = (hex: string): Buffer => Buffer.from(hex, 'hex');

/** 32 schema-checked shingles (decimal strings or safe integers) → the block the store keeps. */
export function decodeShingles(values: readonly (string | number)[], field = 'shingles'): ShingleBlock {
  return ShingleBlock.fromBigInts(
    values.map((item, i) => {
      if (typeof item === 'number' || isU64Decimal(item)) return BigInt(item);
      throw new ValidationError(`${field}[${i}]`, `${SHINGLE_ERROR} (got ${describe(item)})`);
    }),
  );
}

export const decodeOptionalShingles = (values: readonly (string | number)[] | null | undefined): ShingleBlock | null =>
  values === undefined || values === null ? null : decodeShingles(values);

/** A schema-checked flag list → its slots (a listed hash's `flagName` dropped), refused when a flag repeats. */
export function decodeFlagList(slots: readonly FlagValue[], field = 'flags'): FlagValue[] {
  const flags = slots.map((s) => ({ flag: s.flag, value: s.value }));
  const error = flagListError(flags);
  if (error) throw new ValidationError(field, error);
  return flags;
}

/** A name or comment, trimmed; blank is refused unless `allowBlank`, when it becomes null (cleared). */
export function decodeText(text: string, field: string): string;
export function decodeText(text: string | null | undefined, field: string, allowBlank: true): string | null;
export function decodeText(text: string | null | undefined, field: string, allowBlank = false): string | null {
  const trimmed = (text ?? '').trim();
  if (trimmed) return trimmed;
  if (allowBlank) return null;
  throw new ValidationError(field, 'must not be empty');
}
