import { COMMAND_NAMES } from '../../../shared/protocol/constants.js';

/** How a request ended, per command (the admin API and /metrics read these). */
export type Outcome = 'hit' | 'miss' | 'ok' | 'denied' | 'skipped' | 'error' | 'not-found' | 'overloaded';
export const OUTCOMES: readonly Outcome[] = ['hit', 'miss', 'ok', 'denied', 'skipped', 'error', 'not-found', 'overloaded'];
const OUTCOME_INDEX = new Map(OUTCOMES.map((o, i) => [o, i]));

const MINUTE_MS = 60_000;
/** Upper bounds (seconds) of the handling-time histogram exported on /metrics. */
export const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1];
const MINUTES_KEPT = 24 * 60;

export interface MinuteBucket {
  /** Start of the minute, unix milliseconds. */
  at: number;
  requests: Record<string, number>;
  hits: number;
  invalid: number;
  denied: number;
}

/**
 * Counters since start, plus per-minute buckets for the last 24 hours. Plain integers in a few objects: the hot
 * path only increments.
 */
export class UdpStats {
  /** Counts per (command byte, outcome): the hot path increments a typed array, no string keys. */
  private readonly counters = new Float64Array(256 * OUTCOMES.length);
  invalid = 0;
  /** Dropped datagrams by reason (the decoder's and the decrypter's reasons: a fixed, small set). */
  readonly invalidByReason = new Map<string, number>();
  blocked = 0;
  denied = 0;
  duplicates = 0;
  readonly startedAt = Date.now();
  /** Cumulative-free counts per LATENCY_BUCKETS entry, plus one overflow slot; summed by the metrics exporter. */
  readonly latencyCounts = new Float64Array(LATENCY_BUCKETS.length + 1);
  latencySum = 0;
  latencyCount = 0;
  private readonly minutes: MinuteBucket[] = [];

  record(cmd: number, outcome: Outcome): void {
    this.counters[(cmd & 255) * OUTCOMES.length + OUTCOME_INDEX.get(outcome)!]++;
    const name = COMMAND_NAMES[cmd] ?? 'unknown';
    const bucket = this.currentMinute();
    bucket.requests[name] = (bucket.requests[name] ?? 0) + 1;
    if (outcome === 'hit') bucket.hits++;
    if (outcome === 'denied') {
      this.denied++;
      bucket.denied++;
    }
  }

  /** Time from datagram arrival to reply, in seconds. */
  observeLatency(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    this.latencyCounts[i]++;
    this.latencySum += seconds;
    this.latencyCount++;
  }

  recordInvalid(reason: string): void {
    this.invalid++;
    this.invalidByReason.set(reason, (this.invalidByReason.get(reason) ?? 0) + 1);
    this.currentMinute().invalid++;
  }

  /** `"command:outcome"` → count, for every pair seen (commands without a name are summed as `unknown`). */
  get requests(): Map<string, number> {
    const out = new Map<string, number>();
    for (let i = 0; i < this.counters.length; i++) {
      if (this.counters[i] === 0) continue;
      const cmd = Math.floor(i / OUTCOMES.length);
      const key = `${COMMAND_NAMES[cmd] ?? 'unknown'}:${OUTCOMES[i % OUTCOMES.length]}`;
      out.set(key, (out.get(key) ?? 0) + this.counters[i]);
    }
    return out;
  }

  count(cmd: string, outcome: Outcome): number {
    return this.requests.get(`${cmd}:${outcome}`) ?? 0;
  }

  /** Buckets of the last `minutes` minutes that saw traffic, oldest first. */
  history(minutes = MINUTES_KEPT, now = Date.now()): MinuteBucket[] {
    const from = now - minutes * MINUTE_MS;
    return this.minutes.filter((b) => b.at >= from);
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
