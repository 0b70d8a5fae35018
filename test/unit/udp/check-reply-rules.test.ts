import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../server/src/fuzzy/fuzzy-backend.js';
import type { ServerKey } from '../../../server/src/keys/server-key.js';
import { CheckReplyRules, isYoung, withoutForbidden } from '../../../server/src/udp/check-reply-rules.js';
import { parseNetworkList } from '../../../server/src/udp/network-list.js';

const NOW = 1_800_000_000;
const hit = (over: Partial<CheckResult> = {}): CheckResult => ({
  prob: 1, value: 10, flag: 1, extraFlags: [], digest: Buffer.alloc(64, 7), ts: NOW - 5, ...over,
});
/** The delay's clock at NOW with no jitter, so the thresholds are exact. */
const CLOCK = { nowSeconds: () => NOW, coin: () => 0 };
const key = (forbiddenIds: number[] | null) => ({ forbiddenIds }) as unknown as ServerKey;

describe('delay (access-controls.md §5)', () => {
  it.each([
    // ts age, delay, coin → young?
    [5, 10, 0, true],
    [10, 10, 0, false], // exactly delay with no jitter: old enough
    [12, 10, 0.5, true], // jitter: threshold 10 + 5 × 0.5 = 12.5
    [13, 10, 0.5, false],
    [14, 10, 0.999, true], // threshold just under 15
  ])('a hash %is old with delay %is, coin %f: young %s', (age, delay, coin, young) => {
    expect(isYoung(NOW - age, NOW, delay, coin)).toBe(young);
  });

  it('never delays a hit without a time (ts 0)', () => {
    expect(isYoung(0, NOW, 60, 0)).toBe(false);
  });

  it('a young hit loses value, prob and ts but keeps flag and extra slots; the whitelist sees it as is', () => {
    const rules = new CheckReplyRules({ forbiddenIds: [], delaySeconds: 60, delayWhitelist: parseNetworkList('10.1.0.0/16', 'x') }, CLOCK);
    const r = hit({ extraFlags: [{ flag: 2, value: 3 }] });
    expect(rules.shape(r, null, '192.0.2.1')).toEqual({ value: 0, flag: 1, prob: 0, ts: 0, extraFlags: [{ flag: 2, value: 3 }] });
    expect(rules.shape(r, null, '10.1.2.3')).toBe(r);
    expect(rules.shape(hit({ ts: NOW - 120 }), null, '192.0.2.1')).toMatchObject({ value: 10, prob: 1 });
  });

  it('counts from the creation time when the store gives one (SQLite), the reply keeping the last write as ts', () => {
    const rules = new CheckReplyRules({ forbiddenIds: [], delaySeconds: 60, delayWhitelist: [] }, CLOCK);
    // Learned 2 minutes ago, learned again 5 s ago: shown, with its last write as ts, as before.
    expect(rules.shape(hit({ ts: NOW - 5, created: NOW - 120 }), null, '192.0.2.1')).toMatchObject({ value: 10, prob: 1, ts: NOW - 5 });
    // Created 5 s ago: hidden, even with an older ts.
    expect(rules.shape(hit({ ts: NOW - 120, created: NOW - 5 }), null, '192.0.2.1')).toMatchObject({ value: 0, prob: 0, ts: 0 });
  });
});

describe('forbidden_ids (access-controls.md §6.2, rspamd 4.1.5)', () => {
  it('a forbidden single flag is a miss', () => {
    expect(withoutForbidden(hit(), new Set([1]))).toEqual({ value: 0, flag: 0, prob: 0, ts: 0, extraFlags: [] });
  });

  it('forbidden extra slots go, order kept; a forbidden primary gives way to the first remaining slot', () => {
    const r = hit({ value: 50, flag: 1, prob: 0.75, extraFlags: [{ flag: 2, value: 5 }, { flag: 3, value: 40 }, { flag: 4, value: 1 }] });
    expect(withoutForbidden(r, new Set([3]))).toMatchObject({ flag: 1, value: 50, extraFlags: [{ flag: 2, value: 5 }, { flag: 4, value: 1 }] });
    expect(withoutForbidden(r, new Set([1, 2]))).toEqual({ value: 40, flag: 3, prob: 0.75, ts: r.ts, extraFlags: [{ flag: 4, value: 1 }] });
    expect(withoutForbidden(r, new Set([9]))).toBe(r);
  });

  it("a key's own list replaces the worker's, an empty one included", () => {
    const rules = new CheckReplyRules({ forbiddenIds: [1], delaySeconds: null, delayWhitelist: [] }, CLOCK);
    expect(rules.shape(hit(), null, '192.0.2.1').prob).toBe(0);
    expect(rules.shape(hit(), key([]), '192.0.2.1').prob).toBe(1);
    expect(rules.shape(hit({ flag: 5 }), key([5]), '192.0.2.1').prob).toBe(0);
    expect(rules.shape(hit(), key(null), '192.0.2.1').prob).toBe(0);
  });

  it('the delay is marked first, then the forbidden flags go', () => {
    const rules = new CheckReplyRules({ forbiddenIds: [1], delaySeconds: 60, delayWhitelist: [] }, CLOCK);
    expect(rules.shape(hit({ extraFlags: [{ flag: 2, value: 3 }] }), null, '192.0.2.1')).toEqual({ value: 3, flag: 2, prob: 0, ts: 0, extraFlags: [] });
  });
});
