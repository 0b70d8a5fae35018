import Type, { type TSchema } from 'typebox';
import { DIGEST_BYTES, MAX_FLAGS_PER_HASH, SHINGLE_COUNT } from '../protocol/sizes.js';

export { MAX_FLAGS_PER_HASH };

/**
 * The field schemas every payload is built from, and the few format checks that also run outside a schema (a CLI
 * argument, a form field). Server, CLI and dashboard all use these, so a digest or a flag means one thing everywhere.
 *
 * `x-error` and `x-pattern-error` are OpenAPI extensions the document carries as they are: the message
 * schema-problem.ts gives when a value fails the field (`x-error`) or only its pattern (`x-pattern-error`), where the
 * bare keyword ("must match ^[0-9a-fA-F]{128}$") would not help.
 */

const DIGEST_HEX = new RegExp(`^[0-9a-fA-F]{${DIGEST_BYTES * 2}}$`);
const HEX = /^[0-9a-fA-F]*$/;
const U64_DECIMAL = /^\d{1,20}$/;
const U64_MAX = (1n << 64n) - 1n;

/** 128 hex characters, either case: the text form of a 64-byte digest. */
export function isDigestHex(text: string): boolean {
  return DIGEST_HEX.test(text);
}

/** Hex digits only, either case (a digest prefix is 1 to 128 of them). */
export function isHex(text: string): boolean {
  return HEX.test(text);
}

/** An unsigned 64-bit integer in decimal. The schema's pattern bounds the digits; this also bounds the value. */
export function isU64Decimal(text: string): boolean {
  return U64_DECIMAL.test(text) && BigInt(text) <= U64_MAX;
}

export const I32_MIN = -(2 ** 31);
export const I32_MAX = 2 ** 31 - 1;

/** A JSON Schema for `T | null` (OpenAPI 3.1 / JSON Schema style, as TypeBox writes it). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const DigestHex = Type.String({
  pattern: DIGEST_HEX.source,
  description: `${DIGEST_BYTES}-byte digest as ${DIGEST_BYTES * 2} hex characters`,
  'x-error': `must be ${DIGEST_BYTES * 2} hex characters`,
});

/** rspamd's flags are one byte. */
export const FLAG_MAX = 255;
export const Flag = Type.Integer({ minimum: 0, maximum: FLAG_MAX });

/** A digest prefix to search by: up to a whole digest of hex; empty means no prefix. */
export const HexPrefix = Type.String({
  pattern: `^[0-9a-fA-F]{0,${DIGEST_BYTES * 2}}$`,
  description: `Hex prefix of the digest (1..${DIGEST_BYTES * 2} characters)`,
  'x-error': `must be 1 to ${DIGEST_BYTES * 2} hex characters`,
});

/** Weights travel as signed 32-bit integers in the fuzzy protocol. */
export const Weight = Type.Integer({ minimum: I32_MIN, maximum: I32_MAX });

/** Also the decode step's message for a decimal past 2^64-1, which the pattern lets through. */
export const SHINGLE_ERROR = 'must be an unsigned 64-bit integer as a decimal string';

/** One shingle: u64 as a decimal string; a number is accepted when it is a safe integer (JSON loses the rest). */
export const Shingle = Type.Union([Type.String({ pattern: U64_DECIMAL.source }), Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })], {
  description: 'u64 as a decimal string',
  'x-error': SHINGLE_ERROR,
});

export const Shingles = Type.Array(Shingle, {
  minItems: SHINGLE_COUNT,
  maxItems: SHINGLE_COUNT,
  description: `Exactly ${SHINGLE_COUNT} u64 values as decimal strings`,
  'x-error': `must be an array of ${SHINGLE_COUNT} unsigned 64-bit integers`,
});

/** One slot of a hash as sent; `flagName` (from a listed hash) is accepted and ignored so listed flags can be sent back. */
export const FlagValueInput = Type.Object(
  { flag: Flag, value: Weight, flagName: Type.Optional(Nullable(Type.String())) },
  { additionalProperties: false },
);

export const FlagList = Type.Array(FlagValueInput, {
  minItems: 1,
  maxItems: MAX_FLAGS_PER_HASH,
  description: `Every (flag, value) slot, first = primary: 1 to ${MAX_FLAGS_PER_HASH}, no flag twice`,
  'x-error': `must be an array of 1 to ${MAX_FLAGS_PER_HASH} {flag, value} objects`,
});

/** No control characters: they would end up in logs, Redis keys and the dashboard's tables. */
const PRINTABLE = '^[^\\u0000-\\u001f\\u007f]*$';

/** A name or comment; the decode step trims it (decodeText, server/src/common/payload-decode.ts). */
export const Text = (maxLength: number, options: { allowEmpty?: boolean; description?: string; example?: string } = {}) =>
  Type.String({
    maxLength,
    ...(options.allowEmpty ? {} : { minLength: 1 }),
    pattern: PRINTABLE,
    'x-pattern-error': 'must not contain control characters',
    ...(options.description ? { description: options.description } : {}),
    ...(options.example ? { example: options.example } : {}),
  });
