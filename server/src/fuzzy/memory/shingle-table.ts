import { mix64 } from './hash-mix.js';
import { indexUint32 } from './index-arrays.js';
import { IndexLocks, READ_ATTEMPTS, UNSTABLE } from './index-locks.js';

/** An entry is three u32 words side by side (one cache line holds five): the value's low and high half, owner + 1. */
const WORDS = 3;
/** `owner` word of a free entry: a new table needs no fill pass, its pages are touched as entries land. */
const EMPTY = 0;
/** `owner` word of an entry of the table being migrated away from: its key stays, so probing past it still works. */
const TOMBSTONE = 0xffff_ffff;
/** What `get` answers for a value no slot owns. */
const NO_OWNER = -1;
/** Old entries moved to the new table per update while a resize is in progress. */
const MIGRATE_PER_UPDATE = 8;
/**
 * A table doubles. Growing by half kept the load higher (between maxLoad / 1.5 and maxLoad) but moved every entry
 * half as often again: inserting 200k shingled hashes cost 34-38 µs each against 25 µs with doubling, and that work is
 * on the thread that answers CHECKs.
 */
const GROWTH = 2;
/** A table sized for an expected count starts this full, leaving room for new hashes before the first resize. */
const INITIAL_LOAD = 0.8;
const MIN_CAPACITY = 16;

/**
 * The entry a hash maps to, for any capacity (not only powers of two): floor(h * capacity / 2^32), exact in doubles
 * for capacities below 2^37.
 */
function homeOf(h: number, capacity: number): number {
  return Math.floor(((h >>> 16) * capacity + Math.floor(((h & 0xffff) * capacity) / 65536)) / 65536);
}

class Slots {
  readonly words: Uint32Array;
  readonly capacity: number;
  /** A new empty table of `capacity` entries, or one over the words of an image. */
  constructor(capacity: number, words?: SharedArrayBuffer) {
    this.words = words ? new Uint32Array(words) : indexUint32(capacity * WORDS);
    this.capacity = this.words.length / WORDS;
  }

  home(lo: number, hi: number): number {
    return homeOf(mix64(lo, hi), this.capacity);
  }

  /** How far the entry at `at` sits from its home. */
  distance(at: number): number {
    const w = at * WORDS;
    const home = this.home(this.words[w], this.words[w + 1]);
    return at >= home ? at - home : at + this.capacity - home;
  }

  /**
   * The entry holding (lo, hi), or -1. Robin Hood order: entries on a probe path sit at least as far from their home
   * as the one looked for would, so a lookup stops at the first entry closer to its home than that (a miss costs
   * about as much as a hit, even 90 % full).
   */
  find(lo: number, hi: number): number {
    const words = this.words;
    let at = this.home(lo, hi);
    // The bound only matters to a reader on another thread racing a change (its result is then discarded).
    for (let dist = 0; dist <= this.capacity; dist++) {
      const w = at * WORDS;
      if (words[w + 2] === EMPTY) return -1;
      if (words[w] === lo && words[w + 1] === hi) return words[w + 2] === TOMBSTONE ? -1 : at;
      if (this.distance(at) < dist) return -1;
      at = at + 1 === this.capacity ? 0 : at + 1;
    }
    return -1;
  }

  /** Places a value known to be absent, moving richer entries along (Robin Hood insertion). */
  place(lo: number, hi: number, owner1: number): void {
    const words = this.words;
    let at = this.home(lo, hi);
    for (let dist = 0; ; dist++) {
      const w = at * WORDS;
      if (words[w + 2] === EMPTY) {
        words[w] = lo;
        words[w + 1] = hi;
        words[w + 2] = owner1;
        return;
      }
      const theirs = this.distance(at);
      if (theirs < dist) {
        const l = words[w];
        const h = words[w + 1];
        const o = words[w + 2];
        words[w] = lo;
        words[w + 1] = hi;
        words[w + 2] = owner1;
        lo = l;
        hi = h;
        owner1 = o;
        dist = theirs;
      }
      at = at + 1 === this.capacity ? 0 : at + 1;
    }
  }

  /** Empties `hole` and shifts the entries after it back by one until one is at its home (no tombstones). */
  removeAt(hole: number): void {
    const words = this.words;
    for (;;) {
      const next = hole + 1 === this.capacity ? 0 : hole + 1;
      const n = next * WORDS;
      if (words[n + 2] === EMPTY || this.distance(next) === 0) {
        words[hole * WORDS + 2] = EMPTY;
        return;
      }
      const h = hole * WORDS;
      words[h] = words[n];
      words[h + 1] = words[n + 1];
      words[h + 2] = words[n + 2];
      hole = next;
    }
  }
}

/** A ShingleTable as plain data over its shared memory: what a snapshot stores and another thread can map. */
export interface ShingleTableImage {
  maxLoad: number;
  count: number;
  migrated: number;
  table: SharedArrayBuffer;
  old: SharedArrayBuffer | null;
}

/**
 * One shingle position's map of u64 value → owning record slot: the newest writer owns a value
 * (spec/fuzzy-storage.md §2.3: unique (value, number)). Open addressing with Robin Hood probing over one typed array,
 * 12 bytes an entry and up to 82-92 % full: 15 bytes per stored shingle when sized at start-up for what the store
 * holds (80 % full), 13-26 while it grows (the earlier table with linear probing, at most 50-70 % full, took 17-40).
 *
 * Growing is incremental: a full rehash of a few hundred thousand entries took tens of milliseconds, and all of it
 * would land on the event loop inside one commit. Instead the new table starts empty and every update moves a few
 * entries from the old one; until it is empty, lookups try both.
 *
 * Changes happen under the table's sequence lock (index-locks.ts), so UDP threads read it with `readOwner` while the
 * main thread writes; a new or dropped buffer changes the index's layout.
 */
export class ShingleTable {
  private table: Slots;
  private old: Slots | null = null;
  private migrated = 0;
  private count = 0;

  /**
   * `maxLoad` differs a little per position (0.82 to 0.92): the 32 tables of an index fill at the same pace, and with
   * one threshold they would all start resizing on the same write.
   */
  constructor(
    expectedEntries = 1024,
    private readonly maxLoad = 0.88,
    private readonly locks = new IndexLocks(),
    private readonly lock = 0,
  ) {
    this.table = new Slots(Math.max(MIN_CAPACITY, Math.ceil(expectedEntries / INITIAL_LOAD)));
  }

  get size(): number {
    return this.count;
  }

  toImage(): ShingleTableImage {
    return {
      maxLoad: this.maxLoad,
      count: this.count,
      migrated: this.migrated,
      table: this.table.words.buffer as SharedArrayBuffer,
      old: (this.old?.words.buffer as SharedArrayBuffer | undefined) ?? null,
    };
  }

  static fromImage(image: ShingleTableImage, locks?: IndexLocks, lock?: number): ShingleTable {
    const t = new ShingleTable(0, image.maxLoad, locks, lock);
    t.table = new Slots(0, image.table);
    t.old = image.old ? new Slots(0, image.old) : null;
    t.migrated = image.migrated;
    t.count = image.count;
    return t;
  }

  get bytes(): number {
    return (this.table.capacity + (this.old?.capacity ?? 0)) * WORDS * 4;
  }

  /** Entries of the previous table not moved yet: while any are left, both tables take memory. */
  get resizeBacklog(): number {
    return this.old ? this.old.capacity - this.migrated : 0;
  }

  /** Moves up to `budget` entries of a resize in progress (idle-time work; updates move a few each, too). */
  migrateSome(budget: number): void {
    this.locks.begin(this.lock);
    this.migrate(budget);
    this.locks.end(this.lock);
  }

  get(lo: number, hi: number): number {
    const at = this.table.find(lo, hi);
    if (at >= 0) return this.table.words[at * WORDS + 2] - 1;
    if (!this.old) return NO_OWNER;
    const oldAt = this.old.find(lo, hi);
    return oldAt >= 0 ? this.old.words[oldAt * WORDS + 2] - 1 : NO_OWNER;
  }

  /** `get` from a thread other than the writer's: the owner, NO_OWNER, or UNSTABLE when the table kept changing. */
  readOwner(lo: number, hi: number): number {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const seq = this.locks.stable(this.lock);
      if (seq < 0) return UNSTABLE;
      const owner = this.get(lo, hi);
      if (this.locks.unchanged(this.lock, seq)) return owner;
    }
    return UNSTABLE;
  }

  /** Sets (or takes over) the owner of a value. */
  set(lo: number, hi: number, owner: number): void {
    this.locks.begin(this.lock);
    this.setLocked(lo, hi, owner);
    this.locks.end(this.lock);
  }

  private setLocked(lo: number, hi: number, owner: number): void {
    this.migrate();
    const at = this.table.find(lo, hi);
    if (at >= 0) {
      this.table.words[at * WORDS + 2] = owner + 1;
      return;
    }
    if (this.old) {
      const oldAt = this.old.find(lo, hi);
      if (oldAt >= 0) {
        this.old.words[oldAt * WORDS + 2] = owner + 1;
        return;
      }
    }
    this.table.place(lo, hi, owner + 1);
    this.count++;
    if (this.count > this.table.capacity * this.maxLoad) this.grow();
  }

  /** Removes the value only while `owner` still owns it: a later digest may have taken it over. */
  removeIfOwner(lo: number, hi: number, owner: number): void {
    this.locks.begin(this.lock);
    this.removeLocked(lo, hi, owner);
    this.locks.end(this.lock);
  }

  private removeLocked(lo: number, hi: number, owner: number): void {
    this.migrate();
    const at = this.table.find(lo, hi);
    if (at >= 0) {
      if (this.table.words[at * WORDS + 2] === owner + 1) {
        this.table.removeAt(at);
        this.count--;
      }
      return;
    }
    if (!this.old) return;
    const oldAt = this.old.find(lo, hi);
    if (oldAt >= 0 && this.old.words[oldAt * WORDS + 2] === owner + 1) {
      // No shifting in the old table: it would move entries behind the migration cursor.
      this.old.words[oldAt * WORDS + 2] = TOMBSTONE;
      this.count--;
    }
  }

  private grow(): void {
    while (this.old) this.migrate(Infinity);
    this.old = this.table;
    this.table = new Slots(Math.ceil(this.old.capacity * GROWTH));
    this.migrated = 0;
    this.locks.changeLayout();
  }

  private migrate(budget = MIGRATE_PER_UPDATE): void {
    const old = this.old;
    if (!old) return;
    const words = old.words;
    const end = Math.min(old.capacity, this.migrated + budget);
    for (let i = this.migrated; i < end; i++) {
      const w = i * WORDS;
      const owner1 = words[w + 2];
      if (owner1 === EMPTY || owner1 === TOMBSTONE) continue;
      this.table.place(words[w], words[w + 1], owner1);
      // Lookups fall back to the old table: a moved entry must not be found there after it leaves the new one.
      words[w + 2] = TOMBSTONE;
    }
    this.migrated = end;
    if (end === old.capacity) {
      this.old = null;
      this.locks.refreshViews();
    }
  }
}
