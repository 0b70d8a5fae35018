import { SHINGLE_BLOCK_BYTES, SHINGLE_COUNT } from './constants.js';

/**
 * The 32 shingles of a request as their 256 raw little-endian bytes. The hot path compares them as two u32 words
 * each; `bigint`s (what the spec and the admin API speak) are made only on demand, because parsing 32 of them costs
 * several microseconds per datagram.
 */
export class ShingleBlock {
  readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    if (bytes.length !== SHINGLE_BLOCK_BYTES) throw new RangeError(`a shingle block is ${SHINGLE_BLOCK_BYTES} bytes`);
    this.bytes = bytes;
  }

  static fromBigInts(values: readonly bigint[]): ShingleBlock {
    if (values.length !== SHINGLE_COUNT) throw new RangeError(`expected ${SHINGLE_COUNT} shingles, got ${values.length}`);
    const bytes = Buffer.alloc(SHINGLE_BLOCK_BYTES);
    values.forEach((v, i) => bytes.writeBigUInt64LE(BigInt.asUintN(64, v), i * 8));
    return new ShingleBlock(bytes);
  }

  /** Low 32 bits of shingle i. */
  lo(i: number): number {
    return this.bytes.readUInt32LE(i * 8);
  }

  /** High 32 bits of shingle i. */
  hi(i: number): number {
    return this.bytes.readUInt32LE(i * 8 + 4);
  }

  at(i: number): bigint {
    return this.bytes.readBigUInt64LE(i * 8);
  }

  toBigInts(): bigint[] {
    const out = new Array<bigint>(SHINGLE_COUNT);
    for (let i = 0; i < SHINGLE_COUNT; i++) out[i] = this.bytes.readBigUInt64LE(i * 8);
    return out;
  }
}
