import { DIGEST_BYTES } from '../../../../shared/protocol/constants.js';
import { fmix32, nextPowerOfTwo } from './hash-mix.js';

const EMPTY = -1;
const MAX_LOAD = 0.6;

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function hashDigest(bytes: Uint8Array, offset: number): number {
  let h = 0x811c9dc5;
  for (let at = offset; at < offset + DIGEST_BYTES; at += 4) h = Math.imul(h ^ readU32(bytes, at), 0x01000193);
  return fmix32(h);
}

/**
 * Digest → record slot, in typed arrays rather than a Map of strings: about 100 bytes per hash instead of several
 * hundred, and no garbage per lookup. Records live in parallel arrays indexed by slot; freed slots are reused.
 */
export class DigestTable {
  private slab: Uint8Array;
  private slotHashes: Uint32Array;
  private freeSlots: number[] = [];
  private nextSlot = 0;
  private buckets: Int32Array;
  private mask: number;
  private live = 0;
  /** Called when slots are reallocated so the owner can grow its parallel arrays. */
  onGrow: (capacity: number) => void = () => {};

  constructor(initialCapacity = 1024) {
    const cap = nextPowerOfTwo(initialCapacity);
    this.slab = new Uint8Array(cap * DIGEST_BYTES);
    this.slotHashes = new Uint32Array(cap);
    this.buckets = new Int32Array(nextPowerOfTwo(cap / MAX_LOAD)).fill(EMPTY);
    this.mask = this.buckets.length - 1;
  }

  get size(): number {
    return this.live;
  }

  get slotCapacity(): number {
    return this.slotHashes.length;
  }

  find(digest: Uint8Array): number {
    let at = hashDigest(digest, 0) & this.mask;
    for (;;) {
      const slot = this.buckets[at];
      if (slot === EMPTY) return EMPTY;
      if (this.equals(slot, digest)) return slot;
      at = (at + 1) & this.mask;
    }
  }

  /** Inserts a digest that is not present yet; returns its new slot. */
  insert(digest: Uint8Array): number {
    const slot = this.allocateSlot();
    this.slab.set(digest.subarray(0, DIGEST_BYTES), slot * DIGEST_BYTES);
    const hash = hashDigest(this.slab, slot * DIGEST_BYTES);
    this.slotHashes[slot] = hash;
    if ((this.live + 1) / this.buckets.length > MAX_LOAD) this.rehash(this.buckets.length * 2);
    this.place(slot, hash);
    this.live++;
    return slot;
  }

  remove(slot: number): void {
    let at = this.slotHashes[slot] & this.mask;
    while (this.buckets[at] !== slot) {
      if (this.buckets[at] === EMPTY) return;
      at = (at + 1) & this.mask;
    }
    this.shiftBack(at);
    this.freeSlots.push(slot);
    this.live--;
  }

  /** A copy of the digest stored in `slot`. */
  digestAt(slot: number): Buffer {
    return Buffer.from(this.slab.subarray(slot * DIGEST_BYTES, (slot + 1) * DIGEST_BYTES));
  }

  private equals(slot: number, digest: Uint8Array): boolean {
    const base = slot * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) if (this.slab[base + i] !== digest[i]) return false;
    return true;
  }

  private place(slot: number, hash: number): void {
    let at = hash & this.mask;
    while (this.buckets[at] !== EMPTY) at = (at + 1) & this.mask;
    this.buckets[at] = slot;
  }

  /** Backward-shift deletion keeps probe chains intact without tombstones. */
  private shiftBack(hole: number): void {
    let next = hole;
    for (;;) {
      this.buckets[hole] = EMPTY;
      for (;;) {
        next = (next + 1) & this.mask;
        const slot = this.buckets[next];
        if (slot === EMPTY) return;
        const home = this.slotHashes[slot] & this.mask;
        const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
        if (!stays) break;
      }
      this.buckets[hole] = this.buckets[next];
      hole = next;
    }
  }

  private rehash(size: number): void {
    const old = this.buckets;
    this.buckets = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (const slot of old) if (slot !== EMPTY) this.place(slot, this.slotHashes[slot]);
  }

  private allocateSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    if (this.nextSlot === this.slotHashes.length) {
      const cap = this.slotHashes.length * 2;
      const slab = new Uint8Array(cap * DIGEST_BYTES);
      slab.set(this.slab);
      this.slab = slab;
      const hashes = new Uint32Array(cap);
      hashes.set(this.slotHashes);
      this.slotHashes = hashes;
      this.onGrow(cap);
    }
    return this.nextSlot++;
  }
}
