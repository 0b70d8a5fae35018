import type { RequestCount, StatsMinute } from '../../../lib/api-types';

const MINUTE_MS = 60_000;
/** rspamd's commands first, in protocol order; anything else after, alphabetically. */
const COMMAND_ORDER = ['check', 'write', 'del', 'stat', 'ping'];

export interface MinutePoint {
  at: number;
  /** Requests per command in this minute (0 for quiet minutes). */
  requests: Record<string, number>;
  total: number;
  hits: number;
  checks: number;
  /** hits / checks, null when there were no checks. */
  hitRate: number | null;
  invalid: number;
  denied: number;
}

export function orderCommands(names: Iterable<string>): string[] {
  const set = new Set(names);
  const known = COMMAND_ORDER.filter((c) => set.has(c));
  const rest = [...set].filter((c) => !COMMAND_ORDER.includes(c)).sort();
  return [...known, ...rest];
}

/**
 * One point per minute of [from, to): the server leaves quiet minutes out, the chart must show them as zero or the
 * lines would bridge the gaps and lie.
 */
export function minuteSeries(history: readonly StatsMinute[], from: number, to: number): MinutePoint[] {
  const byMinute = new Map(history.map((m) => [m.at, m]));
  const points: MinutePoint[] = [];
  const start = from - (from % MINUTE_MS);
  for (let at = start; at < to; at += MINUTE_MS) {
    const m = byMinute.get(at);
    const requests = { ...(m?.requests ?? {}) };
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    const checks = requests.check ?? 0;
    const hits = m?.hits ?? 0;
    points.push({
      at,
      requests,
      total,
      hits,
      checks,
      hitRate: checks > 0 ? hits / checks : null,
      invalid: m?.invalid ?? 0,
      denied: m?.denied ?? 0,
    });
  }
  return points;
}

/** Rows for recharts: one key per command (zero-filled) next to `at`. */
export function chartRows(points: readonly MinutePoint[], commands: readonly string[]): Record<string, number | null>[] {
  return points.map((p) => {
    const row: Record<string, number | null> = { at: p.at, hitRate: p.hitRate === null ? null : p.hitRate * 100, invalid: p.invalid, denied: p.denied };
    for (const c of commands) row[c] = p.requests[c] ?? 0;
    return row;
  });
}

/** Totals since start, per command (all results summed). */
export function totalsByCommand(requests: readonly RequestCount[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const r of requests) totals.set(r.command, (totals.get(r.command) ?? 0) + r.count);
  return totals;
}

/** CHECK hits / all CHECKs since start; null before the first CHECK. */
export function hitRatio(requests: readonly RequestCount[]): number | null {
  let hits = 0;
  let checks = 0;
  for (const r of requests) {
    if (r.command !== 'check') continue;
    checks += r.count;
    if (r.result === 'hit') hits += r.count;
  }
  return checks > 0 ? hits / checks : null;
}

export interface CounterSample {
  /** When the snapshot was taken, ms. */
  at: number;
  totals: Map<string, number>;
}

/** The server's clock, for the first-load estimate (the browser's clock may differ from the server's). */
export interface ServerClock {
  now: number;
  startedAt: number;
}

/**
 * Requests per second per command between two polls of the cumulative counters. Without a previous poll (first
 * load), the last complete minute plus the current partial one stand in, over the time they cover (never more than
 * the uptime). A restart (counter went down) counts from zero.
 */
export function ratesPerSecond(prev: CounterSample | null, curr: CounterSample, points: readonly MinutePoint[], clock?: ServerClock): Map<string, number> {
  const rates = new Map<string, number>();
  const seconds = prev ? (curr.at - prev.at) / 1000 : 0;
  if (prev && seconds >= 1) {
    for (const [cmd, total] of curr.totals) {
      const before = prev.totals.get(cmd) ?? 0;
      const delta = total >= before ? total - before : total;
      rates.set(cmd, delta / seconds);
    }
    return rates;
  }
  const window = points.slice(-2);
  const first = window[0];
  let windowSeconds = 60 * Math.max(1, window.length - 1);
  if (clock && first) {
    windowSeconds = (clock.now - Math.max(first.at, clock.startedAt)) / 1000;
  }
  for (const cmd of curr.totals.keys()) {
    const count = window.reduce((sum, p) => sum + (p.requests[cmd] ?? 0), 0);
    rates.set(cmd, windowSeconds >= 1 ? count / windowSeconds : 0);
  }
  return rates;
}
