import { SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import type { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';

/** Key names of rspamd 3.4's Redis fuzzy backend (spec/fuzzy-storage.md §3.2); prefix default `fuzzy`. */
export class RedisFuzzyKeys {
  private readonly prefixBytes: Buffer;

  constructor(readonly prefix: string) {
    this.prefixBytes = Buffer.from(prefix, 'latin1');
  }

  /** `P‖D`: the prefix followed by the 64 raw digest bytes (binary, never a JS string). */
  digest(digest: Buffer): Buffer {
    return Buffer.concat([this.prefixBytes, digest]);
  }

  /** `P_i_s` with s the shingle as an unsigned 64-bit decimal. */
  slot(position: number, value: bigint): string {
    return `${this.prefix}_${position}_${value}`;
  }

  slots(shingles: ShingleBlock): string[] {
    const keys = new Array<string>(SHINGLE_COUNT);
    for (let i = 0; i < SHINGLE_COUNT; i++) keys[i] = this.slot(i, shingles.at(i));
    return keys;
  }

  get count(): string {
    return `${this.prefix}_count`;
  }
}
