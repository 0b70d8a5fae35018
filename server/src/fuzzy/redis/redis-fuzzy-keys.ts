import { SHINGLE_BLOCK_BYTES, SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import type { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';

/**
 * Key names of rspamd's Redis fuzzy backend (docs/spec/fuzzy-storage.md §3.2), prefix default `fuzzy`: the digest hash
 * `P‖D`, one string key per shingle slot `P_i_s`, and the counter `P_count`.
 */
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

  /**
   * The 32 slot keys and the digest hash's `S` field as rspamd ≥ 4.1.3 writes it (the `i_s` suffixes of those keys,
   * comma-joined, so a DEL or refresh by digest alone finds the slots), from one decimal conversion per shingle.
   */
  slotsAndShingleSet(shingles: ShingleBlock): { keys: string[]; shingleSet: string } {
    const keys = new Array<string>(SHINGLE_COUNT);
    const suffixes = new Array<string>(SHINGLE_COUNT);
    const head = `${this.prefix}_`;
    for (let i = 0; i < SHINGLE_COUNT; i++) {
      suffixes[i] = `${i}_${shingles.at(i)}`;
      keys[i] = head + suffixes[i];
    }
    return { keys, shingleSet: suffixes.join(',') };
  }

  /**
   * The slot keys named by an `S` field: rspamd's comma-joined suffixes, or the raw 256 shingle bytes fuzzyd wrote
   * before it adopted rspamd's form.
   */
  slotsFromShingleSet(stored: Buffer | null): string[] {
    if (!stored || stored.length === 0) return [];
    if (stored.length === SHINGLE_BLOCK_BYTES && !stored.includes(0x2c)) {
      const keys: string[] = [];
      for (let i = 0; i < SHINGLE_COUNT; i++) keys.push(this.slot(i, stored.readBigUInt64LE(i * 8)));
      return keys;
    }
    return stored
      .toString('latin1')
      .split(',')
      .filter((s) => /^\d+_\d+$/.test(s))
      .map((s) => `${this.prefix}_${s}`);
  }

  get count(): string {
    return `${this.prefix}_count`;
  }
}
