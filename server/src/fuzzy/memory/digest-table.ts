import { DIGEST_BYTES } from '../../../../shared/protocol/constants.js';
import { fmix32, nextPowerOfTwo } from './hash-mix.js';
import { indexInt32, indexUint32, indexUint8 } from './index-arrays.js';
import { DIGEST_LOCK, IndexLocks, READ_ATTEMPTS, UNSTABLE } from './index-locks.js';

const EMPTY = -1;
/** A removed entry of the bucket array being migrated away from (probing goes on past it). */
const TOMBSTONE = -2;
const MAX_LOAD = 0.6;
const MIGRATE_PER_INSERT = 8;
/** Digests live in fixed 4 MiB chunks, so growing never copies the ones already stored. */
const CHUNK_SHIFT = 16;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
/**
 * A freed slot is not reused for this long. A reader on another thread may have found the slot just before the
 * delete and still be reading its record; reusing the slot at once could hand it another hash's flag and value.
 */
const SLOT_QUARANTINE_MS = 2000;

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

function hashDigest(bytes: Uint8Array, offset: number): number {
  let h = 0x811c9dc5;
  for (let at = offset; at < offset + DIGEST_BYTES; at += 4) h = Math.imul(h ^ readU32(bytes, at), 0x01000193);
  return fmix32(h);
}

/** A DigestTable as plain data over its shared memory (the free-slot list is copied). */
export interface DigestTableImage {
  chunks: SharedArrayBuffer[];
  slotHashes: SharedArrayBuffer;
  /** Slots free for reuse (quarantined ones included: an image is mapped in before any reader runs). */
  freeSlots: number[];
  nextSlot: number;
  buckets: SharedArrayBuffer;
  oldBuckets: SharedArrayBuffer | null;
  migrated: number;
  live: number;
}

/**
 * Digest → record slot, in typed arrays rather than a Map of strings: about 100 bytes per hash instead of several
 * hundred, and no garbage per lookup. Records live in parallel arrays indexed by slot; freed slots are reused.
 * Growing never stops the event loop for long: digests are stored in chunks that are never copied, and the bucket
 * array is rehashed a few entries per insert while lookups try the old and the new one.
 *
 * Changes happen under the digest lock (index-locks.ts) so UDP threads can `readFind` meanwhile. A new digest is
 * `reserve`d (its bytes written, not findable yet), its record filled by the owner, then `publish`ed.
 */
export class DigestTable {
  private chunks: Uint8Array[] = [];
  private slotHashes: Uint32Array;
  private freeSlots: number[] = [];
  /** Freed slots and when (performance.now()), oldest first, until their quarantine is over. */
  private retired: number[] = [];
  private nextSlot = 0;
  private buckets: Int32Array;
  private oldBuckets: Int32Array | null = null;
  private migrated = 0;
  private live = 0;
  /** Called when slots are reallocated so the owner can grow its parallel arrays. */
  onGrow: (capacity: number) => void = () => {};

  constructor(
    initialCapacity = 1024,
    private readonly locks = new IndexLocks(),
  ) {
    const cap = nextPowerOfTwo(initialCapacity);
    this.slotHashes = indexUint32(cap);
    this.buckets = indexInt32(nextPowerOfTwo(cap / MAX_LOAD)).fill(EMPTY);
  }

  get size(): number {
    return this.live;
  }

  toImage(): DigestTableImage {
    const sab = (a: { buffer: ArrayBufferLike }): SharedArrayBuffer => a.buffer as SharedArrayBuffer;
    return {
      chunks: this.chunks.map(sab),
      slotHashes: sab(this.slotHashes),
      freeSlots: [...this.freeSlots, ...this.retired.filter((_, i) => i % 2 === 0)],
      nextSlot: this.nextSlot,
      buckets: sab(this.buckets),
      oldBuckets: this.oldBuckets ? sab(this.oldBuckets) : null,
      migrated: this.migrated,
      live: this.live,
    };
  }

  static fromImage(image: DigestTableImage, locks?: IndexLocks): DigestTable {
    const t = new DigestTable(16, locks);
    t.chunks = image.chunks.map((b) => new Uint8Array(b));
    t.slotHashes = new Uint32Array(image.slotHashes);
    t.freeSlots = [...image.freeSlots];
    t.nextSlot = image.nextSlot;
    t.buckets = new Int32Array(image.buckets);
    t.oldBuckets = image.oldBuckets ? new Int32Array(image.oldBuckets) : null;
    t.migrated = image.migrated;
    t.live = image.live;
    return t;
  }

  get slotCapacity(): number {
    return this.slotHashes.length;
  }

  find(digest: Uint8Array): number {
    const hash = hashDigest(digest, 0);
    const slot = this.findIn(this.buckets, hash, digest);
    return slot >= 0 || !this.oldBuckets ? slot : this.findIn(this.oldBuckets, hash, digest);
  }

  /** `find` from a thread other than the writer's: the slot, -1, or UNSTABLE when the table kept changing. */
  readFind(digest: Uint8Array): number {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const seq = this.locks.stable(DIGEST_LOCK);
      if (seq < 0) return UNSTABLE;
      let slot: number;
      try {
        slot = this.find(digest);
      } catch {
        // A slot read mid-change can point past the chunks this thread's view holds.
        slot = UNSTABLE;
      }
      if (this.locks.unchanged(DIGEST_LOCK, seq)) return slot;
    }
    return UNSTABLE;
  }

  /** Buckets of the previous bucket array not moved yet. */
  get resizeBacklog(): number {
    return this.oldBuckets ? this.oldBuckets.length - this.migrated : 0;
  }

  /** Moves up to `budget` buckets of a resize in progress (idle-time work). */
  migrateSome(budget: number): void {
    this.locks.begin(DIGEST_LOCK);
    this.migrate(budget);
    this.locks.end(DIGEST_LOCK);
  }

  /** Takes a slot for a digest that is not present yet and stores its bytes; `publish` makes it findable. */
  reserve(digest: Uint8Array): number {
    const slot = this.allocateSlot();
    const chunk = this.chunks[slot >>> CHUNK_SHIFT];
    const offset = (slot & (CHUNK_SLOTS - 1)) * DIGEST_BYTES;
    chunk.set(digest.subarray(0, DIGEST_BYTES), offset);
    this.slotHashes[slot] = hashDigest(chunk, offset);
    return slot;
  }

  publish(slot: number): void {
    this.locks.begin(DIGEST_LOCK);
    this.migrate(MIGRATE_PER_INSERT);
    this.live++;
    if (this.live / this.buckets.length > MAX_LOAD) this.growBuckets();
    place(this.buckets, slot, this.slotHashes[slot]);
    this.locks.end(DIGEST_LOCK);
  }

  remove(slot: number): void {
    this.locks.begin(DIGEST_LOCK);
    const removed = this.unplace(slot);
    this.locks.end(DIGEST_LOCK);
    if (!removed) return;
    this.retired.push(slot, performance.now());
    this.live--;
  }

  private unplace(slot: number): boolean {
    const hash = this.slotHashes[slot];
    const at = positionOf(this.buckets, slot, hash);
    if (at >= 0) {
      this.shiftBack(at);
      return true;
    }
    if (!this.oldBuckets) return false;
    const oldAt = positionOf(this.oldBuckets, slot, hash);
    if (oldAt < 0) return false;
    this.oldBuckets[oldAt] = TOMBSTONE;
    return true;
  }

  /** A copy of the digest stored in `slot`. */
  digestAt(slot: number): Buffer {
    const offset = (slot & (CHUNK_SLOTS - 1)) * DIGEST_BYTES;
    return Buffer.from(this.chunks[slot >>> CHUNK_SHIFT].subarray(offset, offset + DIGEST_BYTES));
  }

  private findIn(buckets: Int32Array, hash: number, digest: Uint8Array): number {
    const mask = buckets.length - 1;
    let at = hash & mask;
    // Bounded only for a reader racing a change; the writer always meets an empty bucket (at most 60 % full).
    for (let probes = 0; probes <= mask; probes++) {
      const slot = buckets[at];
      if (slot === EMPTY) return EMPTY;
      if (slot >= 0 && this.slotHashes[slot] === hash && this.equals(slot, digest)) return slot;
      at = (at + 1) & mask;
    }
    return EMPTY;
  }

  private equals(slot: number, digest: Uint8Array): boolean {
    const chunk = this.chunks[slot >>> CHUNK_SHIFT];
    const base = (slot & (CHUNK_SLOTS - 1)) * DIGEST_BYTES;
    for (let i = 0; i < DIGEST_BYTES; i++) if (chunk[base + i] !== digest[i]) return false;
    return true;
  }

  private growBuckets(): void {
    this.migrate(Infinity);
    this.oldBuckets = this.buckets;
    this.buckets = indexInt32(this.buckets.length * 2).fill(EMPTY);
    this.migrated = 0;
    this.locks.changeLayout();
  }

  private migrate(budget: number): void {
    const old = this.oldBuckets;
    if (!old) return;
    const end = Math.min(old.length, this.migrated + budget);
    for (let i = this.migrated; i < end; i++) {
      const slot = old[i];
      if (slot < 0) continue;
      place(this.buckets, slot, this.slotHashes[slot]);
      old[i] = TOMBSTONE;
    }
    this.migrated = end;
    if (end === old.length) {
      this.oldBuckets = null;
      this.locks.refreshViews();
    }
  }

  /** Backward-shift deletion keeps probe chains intact without tombstones. */
  private shiftBack(hole: number): void {
    const b = this.buckets;
    const mask = b.length - 1;
    let next = hole;
    for (;;) {
      b[hole] = EMPTY;
      for (;;) {
        next = (next + 1) & mask;
        const slot = b[next];
        if (slot === EMPTY) return;
        const home = this.slotHashes[slot] & mask;
        const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
        if (!stays) break;
      }
      b[hole] = b[next];
      hole = next;
    }
  }

  private allocateSlot(): number {
    if (this.freeSlots.length === 0) this.endQuarantine();
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.nextSlot++;
    let grown = false;
    if ((slot >>> CHUNK_SHIFT) >= this.chunks.length) {
      this.chunks.push(indexUint8(CHUNK_SLOTS * DIGEST_BYTES));
      grown = true;
    }
    if (slot === this.slotHashes.length) {
      const hashes = indexUint32(this.slotHashes.length * 2);
      hashes.set(this.slotHashes);
      this.slotHashes = hashes;
      this.onGrow(hashes.length);
      grown = true;
    }
    if (grown) this.locks.changeLayout();
    return slot;
  }

  private endQuarantine(): void {
    const until = performance.now() - SLOT_QUARANTINE_MS;
    let n = 0;
    while (n < this.retired.length && this.retired[n + 1] <= until) {
      this.freeSlots.push(this.retired[n]);
      n += 2;
    }
    if (n > 0) this.retired.splice(0, n);
  }
}

function place(buckets: Int32Array, slot: number, hash: number): void {
  const mask = buckets.length - 1;
  let at = hash & mask;
  while (buckets[at] !== EMPTY) at = (at + 1) & mask;
  buckets[at] = slot;
}

function positionOf(buckets: Int32Array, slot: number, hash: number): number {
  const mask = buckets.length - 1;
  let at = hash & mask;
  for (;;) {
    const here = buckets[at];
    if (here === slot) return at;
    if (here === EMPTY) return -1;
    at = (at + 1) & mask;
  }
}
