import type { RequestCount } from '../../../shared/api/api-types.js';
import { COMMAND_NAMES } from '../../../shared/protocol/constants.js';
import { INVALID_REASONS, LATENCY_BUCKETS, OUTCOMES, type Outcome, SLOTS, type UdpCounterSink, UdpCounters, counterSlot } from './udp-counters.js';

const MINUTE_MS = 60_000;
const MINUTES_KEPT = 24 * 60;
/** How often the summed totals are turned into per-minute deltas (history() samples too, so reads are fresh). */
const SAMPLE_MS = 1_000;
const COUNTER_SLOTS = 256 * OUTCOMES.length;
const HIT = OUTCOMES.indexOf('hit');
const DENIED = OUTCOMES.indexOf('denied');

export interface MinuteBucket {
  /** Start of the minute, unix milliseconds. */
  at: number;
  requests: Record<string, number>;
  hits: number;
  invalid: number;
  denied: number;
}

/**
 * Counters since start, summed over the blocks of every thread that handles datagrams (this thread's `local` plus
 * the attached ones), and per-minute buckets for the last 24 hours. Threads only increment their own block; all the
 * summing happens here, when someone reads.
 */
export class UdpStats implements UdpCounterSink {
  /** The block of the thread that owns this object (its request handler and TCP frames count here). */
  readonly local = new UdpCounters();
  readonly startedAt = Date.now();
  private readonly attached = new Map<SharedArrayBuffer, UdpCounters>();
  /** What detached blocks had counted: the totals are Prometheus counters and must never go down. */
  private readonly retired = new Float64Array(SLOTS.size);
  /** The totals at the last sample; the next one adds what changed since to the current minute. */
  private readonly sampled = new Float64Array(SLOTS.size);
  private readonly minutes: MinuteBucket[] = [];
  // Other threads count without telling anyone, so minutes are filled by sampling; unref'd, it never keeps the
  // process alive.
  private readonly sampler = setInterval(() => this.sample(), SAMPLE_MS).unref();

  /** Counts another thread's block (made there with `new UdpCounters()`, its `buffer` posted here) from now on. */
  attach(buffer: SharedArrayBuffer): void {
    if (!this.attached.has(buffer)) this.attached.set(buffer, new UdpCounters(buffer));
  }

  /** Stops reading a block (the same object given to attach); what it counted so far stays in the totals. */
  detach(buffer: SharedArrayBuffer): void {
    const block = this.attached.get(buffer);
    if (!block) return;
    block.addTo(this.retired);
    this.attached.delete(buffer);
  }

  /**
   * Requests counted per thread: this one's first, then each attached block in attach order (a UDP thread that ended
   * is detached, its counts kept in the totals). Shows whether the kernel spreads clients over the UDP threads.
   */
  handledPerThread(): number[] {
    return [this.local.handled, ...[...this.attached.values()].map((b) => b.handled)];
  }

  /** Stops the sampling timer; history() still samples when called. */
  close(): void {
    clearInterval(this.sampler);
  }

  record(cmd: number, outcome: Outcome): void {
    this.local.record(cmd, outcome);
  }

  observeLatency(seconds: number): void {
    this.local.observeLatency(seconds);
  }

  recordInvalid(reason: string): void {
    this.local.recordInvalid(reason);
  }

  countBlocked(): void {
    this.local.countBlocked();
  }

  countDuplicate(): void {
    this.local.countDuplicate();
  }

  countOverLimit(): void {
    this.local.countOverLimit();
  }

  /** Requests per (command, outcome) pair seen, sorted by command then outcome; unnamed commands sum as `unknown`. */
  get requests(): RequestCount[] {
    const totals = this.totals();
    const byPair = new Map<string, RequestCount>();
    for (let i = 0; i < COUNTER_SLOTS; i++) {
      const n = totals[SLOTS.counters + i];
      if (n === 0) continue;
      const command = COMMAND_NAMES[Math.floor(i / OUTCOMES.length)] ?? 'unknown';
      const result = OUTCOMES[i % OUTCOMES.length];
      const pair = byPair.get(`${command} ${result}`);
      if (pair) pair.count += n;
      else byPair.set(`${command} ${result}`, { command, result, count: n });
    }
    return [...byPair.values()].sort((a, b) => a.command.localeCompare(b.command) || a.result.localeCompare(b.result));
  }

  count(cmd: string, outcome: Outcome): number {
    return this.requests.find((r) => r.command === cmd && r.result === outcome)?.count ?? 0;
  }

  /** Dropped datagrams. */
  get invalid(): number {
    return invalidOf(this.totals());
  }

  /** Dropped datagrams by reason, for the reasons seen. */
  get invalidByReason(): Map<string, number> {
    const totals = this.totals();
    const out = new Map<string, number>();
    INVALID_REASONS.forEach((reason, i) => {
      const n = totals[SLOTS.invalidReasons + i];
      if (n > 0) out.set(reason, n);
    });
    return out;
  }

  get blocked(): number {
    return this.totals()[SLOTS.blocked];
  }

  get denied(): number {
    return deniedOf(this.totals());
  }

  /** Requests over a rate limit: refused, or served under ratelimit_log_only. */
  get overLimit(): number {
    return this.totals()[SLOTS.overLimit];
  }

  get duplicates(): number {
    return this.totals()[SLOTS.duplicates];
  }

  /** Cumulative-free counts per LATENCY_BUCKETS entry, plus one overflow slot; summed by the metrics exporter. */
  get latencyCounts(): Float64Array {
    return this.totals().subarray(SLOTS.latency, SLOTS.latency + LATENCY_BUCKETS.length + 1);
  }

  get latencySum(): number {
    return this.totals()[SLOTS.latencySum];
  }

  get latencyCount(): number {
    return this.totals()[SLOTS.latencyCount];
  }

  /** Buckets of the last `minutes` minutes that saw traffic, oldest first. */
  history(minutes = MINUTES_KEPT, now = Date.now()): MinuteBucket[] {
    this.sample();
    const from = now - minutes * MINUTE_MS;
    return this.minutes.filter((b) => b.at >= from);
  }

  private totals(): Float64Array {
    const totals = this.retired.slice();
    this.local.addTo(totals);
    for (const block of this.attached.values()) block.addTo(totals);
    return totals;
  }

  /** Adds what the totals gained since the last sample to the current minute (a minute without traffic gets none). */
  private sample(): void {
    const totals = this.totals();
    let bucket: MinuteBucket | undefined;
    for (let i = 0; i < COUNTER_SLOTS; i++) {
      const delta = totals[SLOTS.counters + i] - this.sampled[SLOTS.counters + i];
      if (delta === 0) continue;
      bucket ??= this.currentMinute();
      const name = COMMAND_NAMES[Math.floor(i / OUTCOMES.length)] ?? 'unknown';
      bucket.requests[name] = (bucket.requests[name] ?? 0) + delta;
      const outcome = i % OUTCOMES.length;
      if (outcome === HIT) bucket.hits += delta;
      else if (outcome === DENIED) bucket.denied += delta;
    }
    const invalid = invalidOf(totals) - invalidOf(this.sampled);
    if (invalid > 0) (bucket ??= this.currentMinute()).invalid += invalid;
    this.sampled.set(totals);
  }

  private currentMinute(): MinuteBucket {
    const now = Date.now();
    const last = this.minutes[this.minutes.length - 1];
    if (last && now - last.at < MINUTE_MS) return last;
    const at = now - (now % MINUTE_MS);
    const bucket: MinuteBucket = { at, requests: {}, hits: 0, invalid: 0, denied: 0 };
    this.minutes.push(bucket);
    while (this.minutes.length > 0 && this.minutes[0].at < at - MINUTES_KEPT * MINUTE_MS) this.minutes.shift();
    return bucket;
  }
}

function invalidOf(totals: Float64Array): number {
  let n = 0;
  for (let i = 0; i < INVALID_REASONS.length; i++) n += totals[SLOTS.invalidReasons + i];
  return n;
}

function deniedOf(totals: Float64Array): number {
  let n = 0;
  for (let cmd = 0; cmd < 256; cmd++) n += totals[counterSlot(cmd, 'denied')];
  return n;
}
