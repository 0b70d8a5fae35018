import type { DecryptFailure, MalformedReason } from '../../../shared/protocol/errors.js';

/** How a request ended, per command (the admin API and /metrics read these). */
export type Outcome = 'hit' | 'miss' | 'ok' | 'denied' | 'skipped' | 'error' | 'not-found' | 'overloaded' | 'ratelimited';
export const OUTCOMES: readonly Outcome[] = ['hit', 'miss', 'ok', 'denied', 'skipped', 'error', 'not-found', 'overloaded', 'ratelimited'];
const OUTCOME_INDEX = new Map(OUTCOMES.map((o, i) => [o, i]));

/** Upper bounds (seconds) of the handling-time histogram exported on /metrics. */
export const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];

/** Why a datagram was dropped: the decoder's reasons, the decrypter's (prefixed by the handler), or neither. */
export type InvalidReason = MalformedReason | `decrypt-${DecryptFailure}` | 'unknown';
/** Every reason has a fixed slot in a block; `satisfies` rejects a name that is not a reason. */
export const INVALID_REASONS = [
  'short',
  'version',
  'length',
  'shingles-truncated',
  'extension',
  'decrypt-not-encrypted',
  'decrypt-no-keys',
  'decrypt-mac',
  'decrypt-short',
  'decrypt-key',
  'unknown',
] as const satisfies readonly InvalidReason[];
/** And this rejects a reason added to errors.ts but not to the list above: the compiler names it. */
type Unlisted<T extends never> = T;
type EveryReasonListed = Unlisted<Exclude<InvalidReason, (typeof INVALID_REASONS)[number]>>;
const REASON_INDEX = new Map<string, number>(INVALID_REASONS.map((r, i) => [r, i]));
const UNKNOWN_REASON = INVALID_REASONS.indexOf('unknown');

/**
 * Float64 slot offsets in a block. Totals that other slots already hold (denied = the `denied` outcome over all
 * commands, invalid = the sum of the reasons) have no slot of their own: one increment per event on the hot path.
 * Exported so code that cannot import this module (a test's eval worker) can write a block by hand.
 */
export const SLOTS = (() => {
  const counters = 0;
  const invalidReasons = counters + 256 * OUTCOMES.length;
  const blocked = invalidReasons + INVALID_REASONS.length;
  const duplicates = blocked + 1;
  /** Requests over a rate limit, refused or (ratelimit_log_only) served anyway. */
  const overLimit = duplicates + 1;
  const latency = overLimit + 1;
  const latencySum = latency + LATENCY_BUCKETS.length + 1;
  const latencyCount = latencySum + 1;
  return { counters, invalidReasons, blocked, duplicates, overLimit, latency, latencySum, latencyCount, size: latencyCount + 1 } as const;
})();

/** Slot of the (command byte, outcome) counter. */
export function counterSlot(cmd: number, outcome: Outcome): number {
  return SLOTS.counters + (cmd & 255) * OUTCOMES.length + OUTCOME_INDEX.get(outcome)!;
}

/** What the request handler counts into: one thread's UdpCounters, or UdpStats (which counts into its own block). */
export interface UdpCounterSink {
  record(cmd: number, outcome: Outcome): void;
  /** Time from datagram arrival to reply, in seconds. */
  observeLatency(seconds: number): void;
  recordInvalid(reason: string): void;
  countBlocked(): void;
  countDuplicate(): void;
  countOverLimit(): void;
}

/**
 * One thread's counters in one SharedArrayBuffer, so the main thread can read a worker's counts without messages.
 * Each block has a single writer, so plain increments suffice (no Atomics on the hot path); a reader in another
 * thread may see a count a moment late, which statistics can afford.
 */
export class UdpCounters implements UdpCounterSink {
  readonly buffer: SharedArrayBuffer;
  private readonly slots: Float64Array;

  /** A new zeroed block, or a view of one made elsewhere (e.g. handed over by another thread). */
  constructor(buffer = new SharedArrayBuffer(SLOTS.size * Float64Array.BYTES_PER_ELEMENT)) {
    if (buffer.byteLength !== SLOTS.size * Float64Array.BYTES_PER_ELEMENT) {
      throw new RangeError(`a UDP counter block is ${SLOTS.size * Float64Array.BYTES_PER_ELEMENT} bytes, got ${buffer.byteLength}`);
    }
    this.buffer = buffer;
    this.slots = new Float64Array(buffer);
  }

  record(cmd: number, outcome: Outcome): void {
    this.slots[counterSlot(cmd, outcome)]++;
  }

  observeLatency(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    this.slots[SLOTS.latency + i]++;
    this.slots[SLOTS.latencySum] += seconds;
    this.slots[SLOTS.latencyCount]++;
  }

  /** A reason outside INVALID_REASONS is counted as `unknown`. */
  recordInvalid(reason: string): void {
    this.slots[SLOTS.invalidReasons + (REASON_INDEX.get(reason) ?? UNKNOWN_REASON)]++;
  }

  countBlocked(): void {
    this.slots[SLOTS.blocked]++;
  }

  countDuplicate(): void {
    this.slots[SLOTS.duplicates]++;
  }

  countOverLimit(): void {
    this.slots[SLOTS.overLimit]++;
  }

  /** Requests this thread answered or forwarded, all commands and outcomes. */
  get handled(): number {
    let n = 0;
    for (let i = SLOTS.counters; i < SLOTS.invalidReasons; i++) n += this.slots[i];
    return n;
  }

  /** Adds every slot of this block to `totals` (SLOTS.size long): how UdpStats sums blocks. */
  addTo(totals: Float64Array): void {
    for (let i = 0; i < SLOTS.size; i++) totals[i] += this.slots[i];
  }
}
