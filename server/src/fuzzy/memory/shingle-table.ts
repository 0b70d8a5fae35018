import { mix64, nextPowerOfTwo } from './hash-mix.js';

const EMPTY = -1;

/**
 * One position's (u64 shingle value → owning record slot) map with open addressing over typed arrays: 12 bytes an
 * entry. The newest writer owns a value (spec/fuzzy-storage.md §2.3: unique (value, number)).
 */
export class ShingleTable {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private owner: Int32Array;
  private mask: number;
  private count = 0;

  /**
   * `maxLoad` differs a little per position (0.5 to 0.7): the 32 tables of an index fill at the same pace, and with
   * one threshold they would all rehash on the same write, stalling the event loop 32 times as long.
   */
  constructor(
    initialCapacity = 1024,
    private readonly maxLoad = 0.6,
  ) {
    const size = nextPowerOfTwo(initialCapacity / maxLoad);
    this.lo = new Uint32Array(size);
    this.hi = new Uint32Array(size);
    this.owner = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.owner.length * 12;
  }

  get(lo: number, hi: number): number {
    let at = mix64(lo, hi) & this.mask;
    for (;;) {
      const owner = this.owner[at];
      if (owner === EMPTY || (this.lo[at] === lo && this.hi[at] === hi)) return owner;
      at = (at + 1) & this.mask;
    }
  }

  /** Sets (or takes over) the owner of a value. */
  set(lo: number, hi: number, owner: number): void {
    let at = mix64(lo, hi) & this.mask;
    for (;;) {
      const current = this.owner[at];
      if (current === EMPTY) break;
      if (this.lo[at] === lo && this.hi[at] === hi) {
        this.owner[at] = owner;
        return;
      }
      at = (at + 1) & this.mask;
    }
    this.lo[at] = lo;
    this.hi[at] = hi;
    this.owner[at] = owner;
    this.count++;
    if (this.count / this.owner.length > this.maxLoad) this.rehash(this.owner.length * 2);
  }

  /** Removes the value only while `owner` still owns it: a later digest may have taken it over. */
  removeIfOwner(lo: number, hi: number, owner: number): void {
    let at = mix64(lo, hi) & this.mask;
    for (;;) {
      const current = this.owner[at];
      if (current === EMPTY) return;
      if (this.lo[at] === lo && this.hi[at] === hi) {
        if (current === owner) this.shiftBack(at);
        return;
      }
      at = (at + 1) & this.mask;
    }
  }

  private shiftBack(hole: number): void {
    this.count--;
    let next = hole;
    for (;;) {
      this.owner[hole] = EMPTY;
      for (;;) {
        next = (next + 1) & this.mask;
        if (this.owner[next] === EMPTY) return;
        const home = mix64(this.lo[next], this.hi[next]) & this.mask;
        const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
        if (!stays) break;
      }
      this.lo[hole] = this.lo[next];
      this.hi[hole] = this.hi[next];
      this.owner[hole] = this.owner[next];
      hole = next;
    }
  }

  private rehash(size: number): void {
    const { lo, hi, owner } = this;
    this.lo = new Uint32Array(size);
    this.hi = new Uint32Array(size);
    this.owner = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let i = 0; i < owner.length; i++) {
      if (owner[i] === EMPTY) continue;
      let at = mix64(lo[i], hi[i]) & this.mask;
      while (this.owner[at] !== EMPTY) at = (at + 1) & this.mask;
      this.lo[at] = lo[i];
      this.hi[at] = hi[i];
      this.owner[at] = owner[i];
    }
  }
}
