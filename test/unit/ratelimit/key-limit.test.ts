/** A key's extensions.ratelimit read as rspamd's parse_limit does (docs/spec/access-controls.md §4.5). */
import { describe, expect, it } from 'vitest';
import { parseKeyLimit } from '../../../server/src/ratelimit/key-limit.js';
import type { KeyRateLimitText } from '../../../server/src/keys/server-key.js';

describe('parseKeyLimit', () => {
  it.each<{ value: KeyRateLimitText; burst: number; rate: number }>([
    { value: '2 / 1h', burst: 2, rate: 2 / 3600 },
    { value: '1000 / 1h', burst: 1000, rate: 1000 / 3600 },
    { value: '10k / 1d', burst: 10_000, rate: 10_000 / 86_400 },
    { value: '5/m', burst: 5, rate: 5 / 60 },
    { value: '3 / 30s', burst: 3, rate: 0.1 },
    { value: '1.5m / 2', burst: 1_500_000, rate: 750_000 },
    { value: { burst: 100, rate: 2 }, burst: 100, rate: 2 },
    { value: { burst: '10k', rate: '60 / 1m' }, burst: 10_000, rate: 1 },
    { value: [20, 0.5], burst: 20, rate: 0.5 },
  ])('$value → burst $burst, rate $rate/s', ({ value, burst, rate }) => {
    const limit = parseKeyLimit(value)!;
    expect(limit.burst).toBe(burst);
    expect(limit.rate).toBeCloseTo(rate, 12);
  });

  it.each<KeyRateLimitText | null>([null, 'lots', { burst: 'x', rate: 1 }])('%j is no limit', (value) => {
    expect(parseKeyLimit(value)).toBeNull();
  });
});
