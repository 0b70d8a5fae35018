import { mix64, nextPowerOfTwo } from './hash-mix.js';
import { indexInt32, indexUint32 } from './index-arrays.js';

/**
 * `owner` holds the owning slot + 1, so that 0 means empty: a new table needs no fill pass, and its pages are first
 * touched one at a time by the entries that land on them instead of all at once when a table doubles (a fill of
 * 32 large tables stalled the event loop for milliseconds each).
 */
const EMPTY = 0;
/** A deleted entry of the table being migrated away from: probing goes on past it, migration skips it. */
const TOMBSTONE = -1;
/** What `get` answers for a value no slot owns. */
const NO_OWNER = -1;
/** Old slots moved to the new table per update while a resize is in progress. */
const MIGRATE_PER_UPDATE = 8;

interface Slots {
  lo: Uint32Array;
  hi: Uint32Array;
  owner: Int32Array;
  mask: number;
}

function allocate(size: number): Slots {
  return { lo: indexUint32(size), hi: indexUint32(size), owner: indexInt32(size), mask: size - 1 };
}

/** The slot holding (lo, hi), or -1; tombstones are probed past. */
function find(t: Slots, lo: number, hi: number): number {
  let at = mix64(lo, hi) & t.mask;
  for (;;) {
    const owner = t.owner[at];
    if (owner === EMPTY) return -1;
    if (owner !== TOMBSTONE && t.lo[at] === lo && t.hi[at] === hi) return at;
    at = (at + 1) & t.mask;
  }
}

function place(t: Slots, lo: number, hi: number, owner: number): void {
  let at = mix64(lo, hi) & t.mask;
  while (t.owner[at] !== EMPTY) at = (at + 1) & t.mask;
  t.lo[at] = lo;
  t.hi[at] = hi;
  t.owner[at] = owner + 1;
}

/**
 * One position's (u64 shingle value → owning record slot) map with open addressing over typed arrays: 12 bytes an
 * entry. The newest writer owns a value (spec/fuzzy-storage.md §2.3: unique (value, number)).
 *
 * Growing is incremental: a full rehash of a few hundred thousand entries took tens of milliseconds, and all of it
 * would land on the event loop inside one commit. Instead the new table starts empty and every update moves a few
 * entries from the old one; until it is empty, lookups try both.
 */
export class ShingleTable {
  private table: Slots;
  private old: Slots | null = null;
  private migrated = 0;
  private count = 0;

  /**
   * `maxLoad` differs a little per position (0.5 to 0.7): the 32 tables of an index fill at the same pace, and with
   * one threshold they would all start resizing on the same write.
   */
  constructor(
    initialCapacity = 1024,
    private readonly maxLoad = 0.6,
  ) {
    this.table = allocate(nextPowerOfTwo(initialCapacity / maxLoad));
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return (this.table.owner.length + (this.old?.owner.length ?? 0)) * 12;
  }

  get(lo: number, hi: number): number {
    const at = find(this.table, lo, hi);
    if (at >= 0) return this.table.owner[at] - 1;
    if (!this.old) return NO_OWNER;
    const oldAt = find(this.old, lo, hi);
    return oldAt >= 0 ? this.old.owner[oldAt] - 1 : NO_OWNER;
  }

  /** Sets (or takes over) the owner of a value. */
  set(lo: number, hi: number, owner: number): void {
    this.migrate();
    const at = find(this.table, lo, hi);
    if (at >= 0) {
      this.table.owner[at] = owner + 1;
      return;
    }
    if (this.old) {
      const oldAt = find(this.old, lo, hi);
      if (oldAt >= 0) {
        this.old.owner[oldAt] = owner + 1;
        return;
      }
    }
    place(this.table, lo, hi, owner);
    this.count++;
    if (this.count / this.table.owner.length > this.maxLoad) this.grow();
  }

  /** Removes the value only while `owner` still owns it: a later digest may have taken it over. */
  removeIfOwner(lo: number, hi: number, owner: number): void {
    this.migrate();
    const at = find(this.table, lo, hi);
    if (at >= 0) {
      if (this.table.owner[at] === owner + 1) {
        this.shiftBack(at);
        this.count--;
      }
      return;
    }
    if (!this.old) return;
    const oldAt = find(this.old, lo, hi);
    if (oldAt >= 0 && this.old.owner[oldAt] === owner + 1) {
      // No shifting in the old table: it would move entries behind the migration cursor.
      this.old.owner[oldAt] = TOMBSTONE;
      this.count--;
    }
  }

  private grow(): void {
    while (this.old) this.migrate(Infinity);
    this.old = this.table;
    this.table = allocate(this.old.owner.length * 2);
    this.migrated = 0;
  }

  private migrate(budget = MIGRATE_PER_UPDATE): void {
    const old = this.old;
    if (!old) return;
    const end = Math.min(old.owner.length, this.migrated + budget);
    for (let i = this.migrated; i < end; i++) {
      const stored = old.owner[i];
      if (stored <= 0) continue;
      place(this.table, old.lo[i], old.hi[i], stored - 1);
      // Lookups fall back to the old table: a moved entry must not be found there after it leaves the new one.
      old.owner[i] = TOMBSTONE;
    }
    this.migrated = end;
    if (end === old.owner.length) this.old = null;
  }

  /** Backward-shift deletion in the current table keeps probe chains intact without tombstones. */
  private shiftBack(hole: number): void {
    const t = this.table;
    let next = hole;
    for (;;) {
      t.owner[hole] = EMPTY;
      for (;;) {
        next = (next + 1) & t.mask;
        if (t.owner[next] === EMPTY) return;
        const home = mix64(t.lo[next], t.hi[next]) & t.mask;
        const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
        if (!stays) break;
      }
      t.lo[hole] = t.lo[next];
      t.hi[hole] = t.hi[next];
      t.owner[hole] = t.owner[next];
      hole = next;
    }
  }
}
