import { randomBytes } from 'node:crypto';
import { ShingleBlock } from '../../shared/protocol/shingle-block.js';

/** Random test data shaped like a fuzzy client's: 64-byte digests and 32 u64 shingles. */
export function randomDigest(): Buffer {
  return randomBytes(64);
}

export function randomShingles(): ShingleBlock {
  return new ShingleBlock(randomBytes(256));
}

/** A copy of `base` whose first `changed` positions hold fresh random values (a near-duplicate text). */
export function nearDuplicate(base: ShingleBlock, changed: number): ShingleBlock {
  const bytes = Buffer.from(base.bytes);
  randomBytes(changed * 8).copy(bytes, 0);
  return new ShingleBlock(bytes);
}

const TOP_BIT = 1n << 63n;

/**
 * Random shingles whose even positions are ≥ 2^63, which rspamd stores as negative SQLite integers
 * (fuzzy-storage.md §2.3), so a reader that gets the sign conversion wrong cannot pass. No fixed values: a (value,
 * position) slot belongs to one digest only, and shared slots would bring in rspamd's multi-candidate vote quirk
 * (fuzzy-protocol.md §5.3).
 */
export function mixedSignShingles(): ShingleBlock {
  return ShingleBlock.fromBigInts(randomShingles().toBigInts().map((v, i) => (i % 2 === 0 ? v | TOP_BIT : v & (TOP_BIT - 1n))));
}
