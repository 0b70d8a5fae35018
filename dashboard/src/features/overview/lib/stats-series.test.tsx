// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { StatsMinute } from '../../../lib/api-types';
import { chartRows, hitRatio, minuteSeries, orderCommands, ratesPerSecond, totalsByCommand } from './stats-series';

const M = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % M);

describe('minuteSeries', () => {
  it('has one point per minute of the window, zeros where the server left quiet minutes out', () => {
    const history: StatsMinute[] = [
      { at: T0 + M, requests: { check: 120, write: 3 }, hits: 30, invalid: 1, denied: 0 },
      { at: T0 + 3 * M, requests: { check: 60 }, hits: 60, invalid: 0, denied: 2 },
    ];
    const points = minuteSeries(history, T0, T0 + 5 * M);
    expect(points.map((p) => p.at)).toEqual([0, 1, 2, 3, 4].map((i) => T0 + i * M));
    expect(points.map((p) => p.total)).toEqual([0, 123, 0, 60, 0]);
    expect(points.map((p) => p.hitRate)).toEqual([null, 0.25, null, 1, null]);
    expect(points[3].denied).toBe(2);
  });

  it('chartRows gives every command a number in every row (stacked areas need them)', () => {
    const points = minuteSeries([{ at: T0, requests: { check: 4, del: 1 }, hits: 1, invalid: 0, denied: 0 }], T0, T0 + 2 * M);
    expect(chartRows(points, ['check', 'del'])).toEqual([
      { at: T0, check: 4, del: 1, hitRate: 25, invalid: 0, denied: 0 },
      { at: T0 + M, check: 0, del: 0, hitRate: null, invalid: 0, denied: 0 },
    ]);
  });
});

describe('counters', () => {
  const requests = [
    { command: 'check', result: 'hit', count: 30 },
    { command: 'check', result: 'miss', count: 90 },
    { command: 'write', result: 'ok', count: 5 },
    { command: 'write', result: 'denied', count: 2 },
  ];

  it('totals per command and the hit ratio of CHECKs', () => {
    expect(Object.fromEntries(totalsByCommand(requests))).toEqual({ check: 120, write: 7 });
    expect(hitRatio(requests)).toBe(0.25);
    expect(hitRatio([])).toBeNull();
  });

  it('orders commands as the protocol does, then the rest', () => {
    expect(orderCommands(['zeta', 'ping', 'check', 'del', 'write'])).toEqual(['check', 'write', 'del', 'ping', 'zeta']);
  });

  it('rates per second from two polls; a restart counts from zero', () => {
    const prev = { at: 0, totals: new Map([['check', 100], ['write', 50]]) };
    const curr = { at: 5000, totals: new Map([['check', 150], ['write', 10]]) };
    expect(Object.fromEntries(ratesPerSecond(prev, curr, []))).toEqual({ check: 10, write: 2 });
  });

  it('without a previous poll, uses the last complete and the current minute, by the server clock', () => {
    const points = minuteSeries(
      [
        { at: T0, requests: { check: 120 }, hits: 0, invalid: 0, denied: 0 },
        { at: T0 + M, requests: { check: 30 }, hits: 0, invalid: 0, denied: 0 },
      ],
      T0,
      T0 + 2 * M,
    );
    const sample = { at: 0, totals: new Map([['check', 500]]) };
    // 150 requests over the 75 s from the start of the last complete minute to now.
    expect(ratesPerSecond(null, sample, points, { now: T0 + M + 15_000, startedAt: 0 }).get('check')).toBe(2);
    // Started 5 s into the current minute: all traffic is in the last 10 s.
    const fresh = minuteSeries([{ at: T0 + M, requests: { check: 50 }, hits: 0, invalid: 0, denied: 0 }], T0, T0 + 2 * M);
    expect(ratesPerSecond(null, sample, fresh, { now: T0 + M + 15_000, startedAt: T0 + M + 5000 }).get('check')).toBe(5);
  });
});
