/** The bucket math of docs/spec/access-controls.md §4.3 and §4.5, with the clock passed in as numbers. */
import { describe, expect, it } from 'vitest';
import {
  ALLOWED,
  type Admission,
  chargeKeyBucket,
  chargeNetworkBucket,
  LEVEL,
  REFUSED,
  startKeyBucket,
  startNetworkBucket,
  TRIPPED,
} from '../../../server/src/ratelimit/leaky-bucket.js';

const NAMES: Record<Admission, string> = { [ALLOWED]: 'allowed', [REFUSED]: 'refused', [TRIPPED]: 'tripped' };

/** Runs requests at the given times against one network bucket; the first request creates it. */
function network(times: number[], rate: number, burst: number): string[] {
  const f = new Float64Array(4);
  return times.map((now, i) => NAMES[i === 0 ? startNetworkBucket(f, 0, now) : chargeNetworkBucket(f, 0, now, rate, burst)]);
}

function key(times: number[], rate: number, burst: number): string[] {
  const f = new Float64Array(4);
  startKeyBucket(f, 0, times[0]);
  return times.map((now) => NAMES[chargeKeyBucket(f, 0, now, rate, burst)]);
}

describe('network bucket (rspamd ≥ 3.6)', () => {
  it.each([
    { name: 'burst 3: three pass, the fourth trips the ban and is refused', times: [0, 0, 0, 0, 0], rate: 0.01, burst: 3, want: ['allowed', 'allowed', 'allowed', 'tripped', 'refused'] },
    { name: 'a ban is not lifted by leaking', times: [0, 0, 0, 100, 10_000], rate: 1, burst: 2, want: ['allowed', 'allowed', 'tripped', 'refused', 'refused'] },
    { name: 'a slow sender leaks as fast as it sends and is never banned', times: [0, 1, 2, 3, 4, 5, 6], rate: 1, burst: 2, want: Array(7).fill('allowed') },
    { name: 'leak of rate·(now − last), floored at 0', times: [0, 0, 10, 10, 10], rate: 0.1, burst: 3, want: ['allowed', 'allowed', 'allowed', 'allowed', 'tripped'] },
    { name: 'a clock going backwards leaks nothing', times: [10, 10, 5, 5], rate: 1, burst: 3, want: ['allowed', 'allowed', 'allowed', 'tripped'] },
    { name: 'any rate above 0 leaks between requests: 2.999… < 3 lets a fourth through (rspamd does the same)', times: [0, 0.001, 0.002, 0.003, 0.004], rate: 0.01, burst: 3, want: ['allowed', 'allowed', 'allowed', 'allowed', 'tripped'] },
    { name: 'burst 1: only the creating request passes', times: [0, 0], rate: 0.01, burst: 1, want: ['allowed', 'tripped'] },
  ])('$name', ({ times, rate, burst, want }) => {
    expect(network(times, rate, burst)).toEqual(want);
  });

  it('marks the ban as NaN in the level, as rspamd does', () => {
    const f = new Float64Array(4);
    startNetworkBucket(f, 0, 0);
    chargeNetworkBucket(f, 0, 0, 0, 2);
    expect(chargeNetworkBucket(f, 0, 0, 0, 2)).toBe(TRIPPED);
    expect(f[LEVEL]).toBeNaN();
  });
});

describe('key bucket (rspamd ≥ 3.10, no permanent ban)', () => {
  it.each([
    { name: '"2 / 1h": the third CHECK is refused, one report per run', times: [0, 0, 0, 0], rate: 2 / 3600, burst: 2, want: ['allowed', 'allowed', 'tripped', 'refused'] },
    { name: 'recovers at rate per second', times: [0, 0, 0, 1, 1], rate: 1, burst: 2, want: ['allowed', 'allowed', 'tripped', 'allowed', 'tripped'] },
    { name: 'refusals do not fill it further', times: [0, 0, 0, 0, 0, 0, 2], rate: 1, burst: 2, want: ['allowed', 'allowed', 'tripped', 'refused', 'refused', 'refused', 'allowed'] },
  ])('$name', ({ times, rate, burst, want }) => {
    expect(key(times, rate, burst)).toEqual(want);
  });
});
