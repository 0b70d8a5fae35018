/**
 * Training vectors as rspamd stores them in the `_spam_set` / `_ham_set` members (spec §5.2): the numbers
 * formatted like Lua's %.14g, joined with `;`, in one zstd frame (level 1, content size present).
 * Because the sets deduplicate by bytes, identical rows written by fuzzyd collapse into one member just as
 * rspamd's do.
 */
import { VectorDecodeError } from './errors.js';
import { formatLuaNumber } from './lua-number-format.js';
import { compressFrame, decompressFrame } from './zstd-frame.js';

/** A row is 26 metatokens plus one value per symbol; ~20 bytes a value, so 1 MiB is far beyond any real row. */
export const MAX_VECTOR_TEXT_BYTES = 1024 * 1024;

/** Decimal forms %.14g (and C's strtod for the usual cases) produce; no hex, no inf/nan. */
const NUMBER_TEXT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

export function vectorText(values: readonly number[]): string {
  return values.map((v, i) => {
    if (!Number.isFinite(v)) throw new VectorDecodeError(`value ${i} is ${v}; rspamd never stores non-finite inputs`);
    return formatLuaNumber(v);
  }).join(';');
}

export async function encodeVector(values: readonly number[]): Promise<Buffer> {
  if (values.length === 0) throw new VectorDecodeError('refusing to encode an empty vector');
  return compressFrame(Buffer.from(vectorText(values), 'latin1'));
}

export function parseVectorText(text: string): number[] {
  if (text.length === 0) throw new VectorDecodeError('empty vector');
  return text.split(';').map((part, i) => {
    if (!NUMBER_TEXT.test(part)) throw new VectorDecodeError(`element ${i} is not a number: ${JSON.stringify(part.slice(0, 40))}`);
    const v = Number(part);
    if (!Number.isFinite(v)) throw new VectorDecodeError(`element ${i} is out of range: ${part}`);
    return v;
  });
}

export async function decodeVector(frame: Buffer): Promise<number[]> {
  let text: Buffer;
  try {
    text = await decompressFrame(frame, MAX_VECTOR_TEXT_BYTES);
  } catch (err) {
    throw new VectorDecodeError(`vector is not a valid zstd frame: ${(err as Error).message}`, { cause: err });
  }
  return parseVectorText(text.toString('latin1'));
}
