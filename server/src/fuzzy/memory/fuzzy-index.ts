import { SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';
import type { ShingleBlock } from '../../../../shared/protocol/shingle-block.js';
import type { Digest, FlagValue } from '../../../../shared/protocol/types.js';
import type { CheckResult, StoredHash } from '../fuzzy-backend.js';
import { isShingleHit, shingleProbability, voteShingles } from '../shingle-vote.js';
import { DigestTable, type DigestTableImage } from './digest-table.js';
import { indexFloat64, indexUint32, indexUint8 } from './index-arrays.js';
import { IndexLocks, READ_ATTEMPTS, RECORD_LOCK, UNSTABLE, shingleLock } from './index-locks.js';
import { ShingleTable, type ShingleTableImage } from './shingle-table.js';

/** A FuzzyIndex as plain data (index-snapshot.ts writes and reads it). */
export interface FuzzyIndexImage {
  digests: DigestTableImage;
  shingles: ShingleTableImage[];
  flags: SharedArrayBuffer;
  values: SharedArrayBuffer;
  times: SharedArrayBuffer;
  created: SharedArrayBuffer;
  /** Extra flag slots: slot, count, then (flag, value) pairs, per multi-flag hash. */
  extra: number[];
  perFlag: number[];
}

/**
 * What a UDP thread needs to answer CHECKs from the index while the main thread changes it: the index's shared
 * memory at one layout, and its locks (index-locks.ts).
 */
export interface FuzzyIndexView {
  digests: DigestTableImage;
  shingles: ShingleTableImage[];
  flags: SharedArrayBuffer;
  values: SharedArrayBuffer;
  times: SharedArrayBuffer;
  created: SharedArrayBuffer;
  extraCounts: SharedArrayBuffer;
  locks: SharedArrayBuffer;
  layout: number;
  expireSeconds: number;
}

/**
 * The read model of the SQLite backend: every committed hash and shingle in compact typed arrays, so CHECK never
 * touches SQLite. It is changed only by the writer's commit results, in commit order, on the main thread.
 *
 * UDP threads read the same memory through `FuzzyIndex.reader(view)` and `checkShared`: every change is made under
 * sequence locks (index-locks.ts), a record is written before its slot is published, and a freed slot waits out a
 * quarantine before reuse, so a concurrent reader sees each hash either before or after a change, never torn.
 */
export class FuzzyIndex {
  private readonly digests: DigestTable;
  private readonly shingles: ShingleTable[];
  /** Every table that resizes incrementally, for finishResizes. */
  private readonly resizable: readonly (DigestTable | ShingleTable)[];
  private flags: Uint8Array;
  private values: Float64Array;
  /** Last write (rspamd's `time`): expiry counts from it, and a hit's `ts` carries it. */
  private times: Float64Array;
  /**
   * First write, unix seconds (fuzzyd_digest_created, sqlite-schema.ts): the `delay` test counts from it, as rspamd's
   * Redis layouts do from `C`. Whole seconds are all the delay needs, so 4 bytes a hash rather than 8.
   */
  private created: Uint32Array;
  /** Extra slots per record: a reader on another thread cannot see `extra`, so it hands such hits to the main thread. */
  private extraCounts: Uint8Array;
  readonly locks: IndexLocks;
  /** Scratch of `readRecord`: a CHECK on a UDP thread allocates nothing but its result. */
  private readonly record = { flag: 0, value: 0, time: 0, created: 0, extra: 0 };
  /**
   * The extra slots of multi-flag hashes (rspamd ≥ 4.0), by digest slot. Few hashes have them, so a Map beside the
   * typed arrays costs far less than 7 more (flag, value) columns for every hash.
   */
  private readonly extra = new Map<number, readonly FlagValue[]>();
  private readonly owners = new Int32Array(SHINGLE_COUNT);
  /** Stored hashes per flag (0-255), expired ones not yet purged included, kept as hashes come and go. */
  private readonly perFlag = new Float64Array(256);

  /**
   * The expected sizes let a start-up load allocate once instead of growing table by table. With an `image`, the
   * index is the one that image was taken of (a snapshot), over the image's memory.
   */
  constructor(
    private readonly expireSeconds: number,
    expected: { hashes?: number; shingledHashes?: number } = {},
    image?: FuzzyIndexImage | FuzzyIndexView,
  ) {
    const locks = (this.locks = new IndexLocks(image && 'locks' in image ? image.locks : undefined));
    if (image) {
      this.digests = DigestTable.fromImage(image.digests, locks);
      this.shingles = image.shingles.map((t, i) => ShingleTable.fromImage(t, locks, shingleLock(i)));
      this.flags = new Uint8Array(image.flags);
      this.values = new Float64Array(image.values);
      this.times = new Float64Array(image.times);
      this.created = new Uint32Array(image.created);
      if ('extraCounts' in image) {
        this.extraCounts = new Uint8Array(image.extraCounts);
      } else {
        this.extraCounts = indexUint8(this.digests.slotCapacity);
        for (let i = 0; i < image.extra.length; ) {
          const [slot, n] = [image.extra[i], image.extra[i + 1]];
          const slots: FlagValue[] = [];
          for (let k = 0; k < n; k++) slots.push({ flag: image.extra[i + 2 + 2 * k], value: image.extra[i + 3 + 2 * k] });
          this.extra.set(slot, slots);
          this.extraCounts[slot] = n;
          i += 2 + 2 * n;
        }
        this.perFlag.set(image.perFlag);
      }
    } else {
      this.digests = new DigestTable(expected.hashes ?? 1024, locks);
      this.shingles = Array.from(
        { length: SHINGLE_COUNT },
        (_, i) => new ShingleTable(expected.shingledHashes ?? 1024, 0.82 + (0.1 * i) / SHINGLE_COUNT, locks, shingleLock(i)),
      );
      this.flags = indexUint8(this.digests.slotCapacity);
      this.values = indexFloat64(this.digests.slotCapacity);
      this.times = indexFloat64(this.digests.slotCapacity);
      this.created = indexUint32(this.digests.slotCapacity);
      this.extraCounts = indexUint8(this.digests.slotCapacity);
    }
    this.resizable = [this.digests, ...this.shingles];
    this.digests.onGrow = (cap) => {
      this.flags = grow(this.flags, indexUint8(cap));
      this.values = grow(this.values, indexFloat64(cap));
      this.times = grow(this.times, indexFloat64(cap));
      this.created = grow(this.created, indexUint32(cap));
      this.extraCounts = grow(this.extraCounts, indexUint8(cap));
    };
  }

  /** A read-only index over a view another thread sent (see FuzzyIndexView); only `checkShared` may be used on it. */
  static reader(view: FuzzyIndexView): FuzzyIndex {
    return new FuzzyIndex(view.expireSeconds, {}, view);
  }

  /** The view a UDP thread reads through, at the current layout. */
  view(): FuzzyIndexView {
    // Not toImage(): a view is posted at every layout change, and needs neither the extra slots nor the flag counts.
    return {
      ...this.sharedTables(),
      extraCounts: this.extraCounts.buffer as SharedArrayBuffer,
      locks: this.locks.buffer,
      layout: this.locks.layout,
      expireSeconds: this.expireSeconds,
    };
  }

  /** The SharedArrayBuffers both a view and an image hand over as they are. */
  private sharedTables() {
    return {
      digests: this.digests.toImage(),
      shingles: this.shingles.map((t) => t.toImage()),
      flags: this.flags.buffer as SharedArrayBuffer,
      values: this.values.buffer as SharedArrayBuffer,
      times: this.times.buffer as SharedArrayBuffer,
      created: this.created.buffer as SharedArrayBuffer,
    };
  }

  get size(): number {
    return this.digests.size;
  }

  /** Shingle positions owned, over all 32 tables. */
  get shingleCount(): number {
    return this.shingles.reduce((sum, t) => sum + t.size, 0);
  }

  /** The whole index as plain data: its shared memory as is, the few JS-side structures copied. */
  toImage(): FuzzyIndexImage {
    const extra: number[] = [];
    for (const [slot, slots] of this.extra) {
      extra.push(slot, slots.length);
      for (const s of slots) extra.push(s.flag, s.value);
    }
    return { ...this.sharedTables(), extra, perFlag: [...this.perFlag] };
  }

  /** Approximate heap bytes used, for the memory figures in the README. */
  get bytes(): number {
    const perSlot = 64 + 4 + 1 + 8 + 8 + 4;
    return this.digests.slotCapacity * perSlot + this.shingles.reduce((sum, t) => sum + t.bytes, 0);
  }

  /**
   * Finishes resizes a little at a time: updates move only a few entries each, so after a burst of writes the old
   * tables (up to 40 % of the index's memory) would stay until the next burst. Returns whether any work is left.
   */
  finishResizes(budget: number): boolean {
    let left = budget;
    let unfinished = false;
    for (const table of this.resizable) {
      const step = Math.min(left, table.resizeBacklog);
      if (step > 0) table.migrateSome(step);
      left -= step;
      unfinished ||= table.resizeBacklog > 0;
    }
    return unfinished;
  }

  /**
   * `check` on a UDP thread, through a reader: null when this thread cannot answer (its view is older than the
   * index's layout, a table kept changing, or the hit has extra slots, which only the main thread holds).
   */
  checkShared(digest: Digest, shingles: ShingleBlock | null, now: number, layout: number): CheckResult | null {
    if (this.locks.layout !== layout || !this.locks.complete) return null;
    const result = this.readCheck(digest, shingles, now);
    // A layout change during the read may have moved entries to tables this view does not hold.
    return this.locks.layout === layout ? result : null;
  }

  private readCheck(digest: Digest, shingles: ShingleBlock | null, now: number): CheckResult | null {
    const slot = this.digests.readFind(digest);
    if (slot === UNSTABLE) return null;
    const rec = this.record;
    if (slot >= 0) {
      if (!this.readRecord(slot) || rec.extra > 0) return null;
      if (now - rec.time > this.expireSeconds) return miss(digest);
      return { prob: 1, value: rec.value, flag: rec.flag, extraFlags: NO_FLAGS, digest, ts: rec.time, created: rec.created };
    }
    if (!shingles) return miss(digest);
    for (let i = 0; i < SHINGLE_COUNT; i++) {
      const owner = this.shingles[i].readOwner(shingles.lo(i), shingles.hi(i));
      if (owner === UNSTABLE) return null;
      this.owners[i] = owner;
    }
    const { winner, slots } = voteShingles(this.owners);
    if (winner < 0 || !isShingleHit(slots)) return miss(digest);
    if (!this.readRecord(winner) || rec.extra > 0) return null;
    if (now - rec.time > this.expireSeconds) return miss(digest);
    // The winner's digest bytes stay as they are while its slot is in use or quarantined (digest-table.ts).
    const stored = this.digests.digestAt(winner);
    return {
      prob: shingleProbability(slots),
      value: rec.value,
      flag: rec.flag,
      extraFlags: NO_FLAGS,
      digest: stored,
      ts: rec.time,
      created: rec.created,
    };
  }

  /** Reads a record into `this.record` under the record lock; false when it kept changing. */
  private readRecord(slot: number): boolean {
    const rec = this.record;
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const seq = this.locks.stable(RECORD_LOCK);
      if (seq < 0) return false;
      rec.flag = this.flags[slot];
      rec.value = this.values[slot];
      rec.time = this.times[slot];
      rec.created = this.created[slot];
      rec.extra = this.extraCounts[slot];
      if (this.locks.unchanged(RECORD_LOCK, seq)) return true;
    }
    return false;
  }

  check(digest: Digest, shingles: ShingleBlock | null, now: number): CheckResult {
    const slot = this.digests.find(digest);
    if (slot >= 0) {
      // An expired direct match is a miss and the shingle step is not tried (spec/fuzzy-storage.md §2.4).
      if (this.isExpired(slot, now)) return miss(digest);
      return {
        prob: 1,
        value: this.values[slot],
        flag: this.flags[slot],
        extraFlags: this.extraOf(slot),
        digest,
        ts: this.times[slot],
        created: this.created[slot],
      };
    }
    if (!shingles) return miss(digest);
    for (let i = 0; i < SHINGLE_COUNT; i++) this.owners[i] = this.shingles[i].get(shingles.lo(i), shingles.hi(i));
    const { winner, slots } = voteShingles(this.owners);
    if (winner < 0 || !isShingleHit(slots) || this.isExpired(winner, now)) return miss(digest);
    return {
      prob: shingleProbability(slots),
      value: this.values[winner],
      flag: this.flags[winner],
      extraFlags: this.extraOf(winner),
      digest: this.digests.digestAt(winner),
      ts: this.times[winner],
      created: this.created[winner],
    };
  }

  get(digest: Digest, now: number): IndexedHash | null {
    const slot = this.digests.find(digest);
    if (slot < 0 || this.isExpired(slot, now)) return null;
    return {
      digest: this.digests.digestAt(slot),
      flag: this.flags[slot],
      value: this.values[slot],
      time: this.times[slot],
      created: this.created[slot],
      extraFlags: this.extraOf(slot),
    };
  }

  /**
   * Records a committed hash as its commit result left it (the rule is update-rule.ts's, decided by the writer) and
   * returns its slot. A new hash with shingles takes over their positions (newest writer owns a slot); callers pass
   * shingles only for an added hash (shinglesStored), and an existing hash keeps its own whatever is passed.
   * `created` is the hash's first write (the writer's commit result or fuzzyd_digest_created); without one, its `time`.
   */
  upsert(hash: StoredHash, shingles: ShingleBlock | null, created = hash.time): number {
    let slot = this.digests.find(hash.digest);
    if (slot >= 0) {
      this.countFlags(slot, -1);
      this.writeRecord(slot, hash, created);
    } else {
      // Record first, then the slot becomes findable: a reader never meets a new slot with an earlier hash's record.
      slot = this.digests.reserve(hash.digest);
      this.writeRecord(slot, hash, created);
      this.digests.publish(slot);
      if (shingles) this.ownShingles(slot, shingles);
    }
    if (hash.extraFlags.length > 0) this.extra.set(slot, hash.extraFlags);
    else this.extra.delete(slot);
    this.countFlags(slot, 1);
    return slot;
  }

  private writeRecord(slot: number, hash: StoredHash, created: number): void {
    this.locks.begin(RECORD_LOCK);
    this.flags[slot] = hash.flag;
    this.values[slot] = hash.value;
    this.times[slot] = hash.time;
    this.created[slot] = created;
    this.extraCounts[slot] = Math.min(255, hash.extraFlags.length);
    this.locks.end(RECORD_LOCK);
  }

  /**
   * Gives a stored hash the owner of each of its shingle positions, as its commit did: replaying commits onto an
   * index built meanwhile, where the hash may be present without its shingles (they were still queued).
   */
  takeShingles(digest: Digest, shingles: ShingleBlock): void {
    const slot = this.digests.find(digest);
    if (slot >= 0) this.ownShingles(slot, shingles);
  }

  /** The record in `slot` owns each of these shingle positions (newest writer owns a value). */
  private ownShingles(slot: number, shingles: ShingleBlock): void {
    for (let i = 0; i < SHINGLE_COUNT; i++) this.shingles[i].set(shingles.lo(i), shingles.hi(i), slot);
  }

  /** Stops readers on other threads from answering from this index (it is being replaced), and tells them so. */
  retire(): void {
    this.locks.setComplete(false);
    this.locks.changeLayout();
  }

  /** Records one committed shingle row (start-up load, where rows arrive apart from their digests). */
  setShingleOwner(position: number, lo: number, hi: number, slot: number): void {
    this.shingles[position].set(lo, hi, slot);
  }

  /** Forgets a deleted hash and the shingle positions it still owned. */
  remove(digest: Digest, ownedShingles: ReadonlyArray<{ position: number; lo: number; hi: number }>): void {
    const slot = this.digests.find(digest);
    if (slot < 0) return;
    for (const s of ownedShingles) this.shingles[s.position].removeIfOwner(s.lo, s.hi, slot);
    this.countFlags(slot, -1);
    this.extra.delete(slot);
    this.digests.remove(slot);
  }

  /** A hash counts once under each of its flags. */
  private countFlags(slot: number, delta: number): void {
    this.perFlag[this.flags[slot]] += delta;
    const extra = this.extra.get(slot);
    if (extra) for (const s of extra) this.perFlag[s.flag & 0xff] += delta;
  }

  /** Hashes per flag (once under each flag they hold), in flag order: instant where SQLite would count a million rows. */
  countByFlag(): { flag: number; count: number }[] {
    const out: { flag: number; count: number }[] = [];
    this.perFlag.forEach((count, flag) => {
      if (count > 0) out.push({ flag, count });
    });
    return out;
  }

  private extraOf(slot: number): readonly FlagValue[] {
    return this.extra.get(slot) ?? NO_FLAGS;
  }

  private isExpired(slot: number, now: number): boolean {
    return now - this.times[slot] > this.expireSeconds;
  }
}

/** A stored hash as the index holds it: with its first write, which the delay test counts from. */
export interface IndexedHash extends StoredHash {
  created: number;
}

const NO_FLAGS: readonly FlagValue[] = Object.freeze([]);

function miss(digest: Digest): CheckResult {
  return { prob: 0, value: 0, flag: 0, extraFlags: NO_FLAGS, digest, ts: 0 };
}

function grow<T extends Uint8Array | Uint32Array | Float64Array>(old: T, next: T): T {
  next.set(old as never);
  return next;
}
