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
