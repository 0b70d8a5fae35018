import { SHINGLE_COUNT } from '../../../../shared/protocol/constants.js';

/**
 * Sequence locks over the in-memory index, in shared memory: one writer (the main thread applies commit results)
 * and any number of readers on UDP threads that never block it.
 *
 * A lock is a counter the writer makes odd before it changes its part of the index and even after. A reader notes
 * an even value, reads, and keeps what it read only if the counter is still the same: then nothing changed under
 * it, so nothing it read was torn. There is one lock per table (the digest table, each shingle position, the record
 * arrays) rather than one for the index: a shingled write changes 33 tables, ~25 µs in all, and under a write flood
 * one lock would be odd half the time; a table's own change takes about a microsecond.
 *
 * The layout word counts changes of which buffers make up the index (a table doubled, a digest chunk was added, a
 * resize finished). A reader's view names the layout it was taken at; a reader whose view is older cannot use it
 * (it would look in tables the writer has left), so it hands the request to the main thread until the new view
 * arrives.
 */
const STRIDE = 16; // Int32 words: each counter on its own 64-byte cache line, so a write to one does not evict the others.
export const DIGEST_LOCK = 0;
export const RECORD_LOCK = 1;
export const shingleLock = (position: number): number => 2 + position;
const LAYOUT = 2 + SHINGLE_COUNT;
/** Non-zero while the index does not hold the whole store (it is being built, or was replaced): readers decline. */
const INCOMPLETE = LAYOUT + 1;
const WORDS = (INCOMPLETE + 1) * STRIDE;
/** Reads of a counter while it stays odd before a reader gives up (the writer's change takes about a microsecond). */
const SPINS = 4096;

export class IndexLocks {
  readonly buffer: SharedArrayBuffer;
  private readonly words: Int32Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(WORDS * 4);
    this.words = new Int32Array(this.buffer);
  }

  /** Writer: the part under `lock` is about to change. */
  begin(lock: number): void {
    Atomics.add(this.words, lock * STRIDE, 1);
  }

  /** Writer: the change under `lock` is complete. */
  end(lock: number): void {
    Atomics.add(this.words, lock * STRIDE, 1);
  }

  /** Told on the writer's thread after each layout change or refresh (the UDP threads are sent a new view). */
  onLayoutChange: () => void = () => {};

  /** Writer: a buffer of the index was replaced or added; views taken before are out of date. */
  changeLayout(): void {
    Atomics.add(this.words, LAYOUT * STRIDE, 1);
    this.onLayoutChange();
  }

  /**
   * Writer: a buffer left the index (a resize finished) but views holding it stay correct (it holds only moved-out
   * entries); readers get a new view to let it go, without the layout change that would make them decline meanwhile.
   */
  refreshViews(): void {
    this.onLayoutChange();
  }

  /** Writer: whether readers may answer from this index (false while it holds only part of the store). */
  setComplete(complete: boolean): void {
    Atomics.store(this.words, INCOMPLETE * STRIDE, complete ? 0 : 1);
  }

  get complete(): boolean {
    return Atomics.load(this.words, INCOMPLETE * STRIDE) === 0;
  }

  get layout(): number {
    return Atomics.load(this.words, LAYOUT * STRIDE);
  }

  /** Reader: the lock's even value to validate against, or -1 when the writer stays in the middle of a change. */
  stable(lock: number): number {
    for (let i = 0; i < SPINS; i++) {
      const seq = Atomics.load(this.words, lock * STRIDE);
      if ((seq & 1) === 0) return seq;
    }
    return -1;
  }

  /** Reader: nothing under `lock` changed since `stable` returned `seq`. */
  unchanged(lock: number, seq: number): boolean {
    return Atomics.load(this.words, lock * STRIDE) === seq;
  }
}

/** What a seqlocked read answers when it found no moment without a change (the caller falls back). */
export const UNSTABLE = -2;
/** Tries of a seqlocked read, each after the counter was seen even, before it reports UNSTABLE. */
export const READ_ATTEMPTS = 8;
