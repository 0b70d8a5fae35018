import { ALLOWED, type Admission, BUCKET_FLOATS, CREATED } from './leaky-bucket.js';

/**
 * A fixed-size table of leaky buckets in one SharedArrayBuffer, handed to every UDP thread and used by the main
 * thread (TCP) too: the kernel spreads one network's clients over the UDP threads, so per-thread buckets would
 * multiply the limit by the thread count (docs/spec/access-controls.md §4.3; rspamd keeps one LRU per process and
 * broadcasts bans between processes, fuzzyd shares the table itself).
 *
 * Layout: the table is set-associative. A key (5 Int32 words: a tag, then 16 bytes of address or key id) hashes to
 * one set of WAYS slots; the set has its own spinlock word (Atomics.compareExchange), held while the set is searched
 * and the bucket charged, a few hundred nanoseconds at most. A key lives only in its set, so two threads can never
 * create the same bucket twice, and threads charging different sets never meet.
 *
 * Capacity: `max` rounded up to whole sets. When a set is full, a bucket past its TTL is reused first, else the one
 * created first is evicted. rspamd's LRU evicts the least recently *used* bucket of the whole table; both drop the
 * oldest state under pressure, and both let a flood of new networks push a ban out (§4.3 item 4).
 */
export const WAYS = 8;
const LOCK_STRIDE = 16; // Int32 words: each set's lock on its own 64-byte cache line
const SLOT_INTS = 8; // used, tag, 4 key words, 2 spare
const SLOT_FLOATS = 4;
const USED = 0;
const TAG = 1;
const KEY = 2;
/** Tries of a held lock before the thread yields its time slice (a holder never waits for anything). */
const SPINS = 1000;

if (BUCKET_FLOATS > SLOT_FLOATS) throw new Error('a bucket does not fit its slot');

/** Charges an existing bucket, or starts a new one; both write only the slot's floats at `at`. */
export type ChargeFn = (f: Float64Array, at: number, now: number, rate: number, burst: number) => Admission;
export type StartFn = (f: Float64Array, at: number, now: number) => Admission | void;

export class BucketTable {
  readonly buffer: SharedArrayBuffer;
  readonly sets: number;
  private readonly locks: Int32Array;
  private readonly ints: Int32Array;
  private readonly floats: Float64Array;
  private readonly sleeper = new Int32Array(new SharedArrayBuffer(4));

  /** A new table of at least `max` buckets, or a view of one made on another thread (pass its buffer). */
  constructor(maxOrBuffer: number | SharedArrayBuffer) {
    const sets = typeof maxOrBuffer === 'number' ? BucketTable.setsFor(maxOrBuffer) : setsOf(maxOrBuffer);
    const lockBytes = sets * LOCK_STRIDE * 4;
    const intBytes = sets * WAYS * SLOT_INTS * 4;
    const size = lockBytes + intBytes + sets * WAYS * SLOT_FLOATS * 8;
    this.buffer = typeof maxOrBuffer === 'number' ? new SharedArrayBuffer(size) : maxOrBuffer;
    if (this.buffer.byteLength !== size) throw new RangeError(`not a bucket table buffer (${this.buffer.byteLength} bytes)`);
    this.sets = sets;
    this.locks = new Int32Array(this.buffer, 0, sets * LOCK_STRIDE);
    this.ints = new Int32Array(this.buffer, lockBytes, sets * WAYS * SLOT_INTS);
    this.floats = new Float64Array(this.buffer, lockBytes + intBytes, sets * WAYS * SLOT_FLOATS);
  }

  /** The sets a table of at least `max` buckets has. */
  static setsFor(max: number): number {
    return Math.max(1, Math.ceil(max / WAYS));
  }

  get capacity(): number {
    return this.sets * WAYS;
  }

  /**
   * Charges the bucket of `key` (5 words: tag, then 4 words of bytes) at time `now` (seconds). A bucket older than
   * `ttl` seconds counts as absent (rspamd's LRU drops an element `ttl` after its creation; lookups do not extend
   * it); `ttl` 0 means buckets never expire.
   */
  charge(key: Int32Array, now: number, ttl: number, rate: number, burst: number, start: StartFn, charge: ChargeFn): Admission {
    const set = hash(key) % this.sets;
    const lock = set * LOCK_STRIDE;
    this.acquire(lock);
    try {
      const first = set * WAYS;
      let free = -1;
      let oldest = first;
      for (let slot = first; slot < first + WAYS; slot++) {
        const i = slot * SLOT_INTS;
        const at = slot * SLOT_FLOATS;
        if (this.ints[i + USED] === 0) {
          if (free < 0) free = slot;
          continue;
        }
        const expired = ttl > 0 && now - this.floats[at + CREATED] > ttl;
        if (matches(this.ints, i, key)) {
          if (!expired) return charge(this.floats, at, now, rate, burst);
          return start(this.floats, at, now) ?? charge(this.floats, at, now, rate, burst);
        }
        if (expired && free < 0) free = slot;
        if (this.floats[at + CREATED] < this.floats[oldest * SLOT_FLOATS + CREATED]) oldest = slot;
      }
      const slot = free >= 0 ? free : oldest;
      const i = slot * SLOT_INTS;
      this.ints[i + USED] = 1;
      for (let w = 0; w < 5; w++) this.ints[i + TAG + w] = key[w];
      const at = slot * SLOT_FLOATS;
      return start(this.floats, at, now) ?? charge(this.floats, at, now, rate, burst);
    } finally {
      Atomics.store(this.locks, lock, 0);
    }
  }

  /** Buckets in use and not past `ttl` at `now`: for tests and the admin view (reads without the locks). */
  live(now: number, ttl: number): number {
    let n = 0;
    for (let slot = 0; slot < this.capacity; slot++) {
      if (this.ints[slot * SLOT_INTS + USED] === 0) continue;
      if (ttl > 0 && now - this.floats[slot * SLOT_FLOATS + CREATED] > ttl) continue;
      n++;
    }
    return n;
  }

  /** Every bucket in use and not past `ttl`: its 5 key words and its floats (for saving at shutdown). */
  snapshot(now: number, ttl: number): { key: Int32Array; floats: Float64Array }[] {
    const out: { key: Int32Array; floats: Float64Array }[] = [];
    for (let set = 0; set < this.sets; set++) {
      this.acquire(set * LOCK_STRIDE);
      try {
        for (let slot = set * WAYS; slot < (set + 1) * WAYS; slot++) {
          const i = slot * SLOT_INTS;
          const at = slot * SLOT_FLOATS;
          if (this.ints[i + USED] === 0 || (ttl > 0 && now - this.floats[at + CREATED] > ttl)) continue;
          out.push({ key: this.ints.slice(i + TAG, i + TAG + 5), floats: this.floats.slice(at, at + BUCKET_FLOATS) });
        }
      } finally {
        Atomics.store(this.locks, set * LOCK_STRIDE, 0);
      }
    }
    return out;
  }

  /** Drops the bucket of `key` (an admin lifting a ban); the next request starts a fresh one. False: none. */
  remove(key: Int32Array): boolean {
    const set = hash(key) % this.sets;
    const lock = set * LOCK_STRIDE;
    this.acquire(lock);
    try {
      for (let slot = set * WAYS; slot < (set + 1) * WAYS; slot++) {
        const i = slot * SLOT_INTS;
        if (this.ints[i + USED] !== 0 && matches(this.ints, i, key)) {
          this.ints[i + USED] = 0;
          return true;
        }
      }
      return false;
    } finally {
      Atomics.store(this.locks, lock, 0);
    }
  }

  /** Puts a saved bucket back (replacing that key's bucket, or taking a free or the oldest slot of its set). */
  restore(key: Int32Array, floats: Float64Array): void {
    const copy = (f: Float64Array, at: number): void => {
      for (let k = 0; k < BUCKET_FLOATS; k++) f[at + k] = floats[k];
    };
    this.charge(key, floats[CREATED], 0, 0, 0, (f, at) => copy(f, at), (f, at) => (copy(f, at), ALLOWED));
  }

  private acquire(lock: number): void {
    for (let spins = 0; Atomics.compareExchange(this.locks, lock, 0, 1) !== 0; spins++) {
      // The holder is on another thread in a loop of eight slots; should the OS have preempted it, sleep briefly
      // instead of burning the core it needs. (Atomics.wait works on Node's main thread too.)
      if (spins >= SPINS) {
        Atomics.wait(this.sleeper, 0, 0, 0.05);
        spins = 0;
      }
    }
  }
}

function setsOf(buffer: SharedArrayBuffer): number {
  return buffer.byteLength / (LOCK_STRIDE * 4 + WAYS * (SLOT_INTS * 4 + SLOT_FLOATS * 8));
}

function matches(ints: Int32Array, i: number, key: Int32Array): boolean {
  return ints[i + TAG] === key[0] && ints[i + KEY] === key[1] && ints[i + KEY + 1] === key[2] && ints[i + KEY + 2] === key[3] && ints[i + KEY + 3] === key[4];
}

/** FNV-1a over the five words, then a final mix: networks of one /16 differ only in one byte. */
function hash(key: Int32Array): number {
  let h = 0x811c9dc5;
  for (let w = 0; w < 5; w++) h = Math.imul(h ^ key[w], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x45d9f3b);
  h ^= h >>> 16;
  return h >>> 0;
}
