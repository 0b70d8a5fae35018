/**
 * RateLimits.reconfigure (the admin API changing rate-limit settings while serving, access/settings): what happens
 * to the network buckets, and a UDP thread adopting the main thread's tables.
 */
import { describe, expect, it } from 'vitest';
import { RateLimits } from '../../../server/src/ratelimit/rate-limits.js';
import { Command } from '../../../shared/protocol/constants.js';
import { rateLimitTestSettings as settings } from '../../helpers/rate-limit-settings.js';

const check = (l: RateLimits, address: string, now = 100): string | null => l.admit(Command.Check, address, null, now);

describe('RateLimits.reconfigure', () => {
  it('a new rate or burst keeps every bucket: its level leaks at the new rate, and a ban stays a ban', () => {
    const limits = new RateLimits(settings(), () => {});
    check(limits, '192.0.2.1');
    check(limits, '192.0.2.1'); // level 2 = burst
    check(limits, '198.51.100.1');
    expect(check(limits, '198.51.100.1')).toBeNull();
    expect(check(limits, '198.51.100.1')).toBe('network'); // banned
    expect(limits.reconfigure(settings({ burst: 3, rate: 1 }))).toBe(false);
    // 192.0.2.0/24 was at 2: one second later it has leaked to 1, and may send two more before tripping at 3.
    expect([check(limits, '192.0.2.1', 101), check(limits, '192.0.2.1', 101), check(limits, '192.0.2.1', 101)]).toEqual([null, null, 'network']);
    expect(check(limits, '198.51.100.1', 200)).toBe('network');
  });

  it('a new network mask or table size starts empty (bans lifted); turning the limit off drops the table', () => {
    const limits = new RateLimits(settings({ burst: 1 }), () => {});
    check(limits, '192.0.2.1');
    expect(check(limits, '192.0.2.1')).toBe('network');
    expect(limits.reconfigure(settings({ burst: 1, networkMask: 16 }))).toBe(true);
    expect(check(limits, '192.0.2.1')).toBeNull();
    expect(limits.reconfigure(settings({ burst: 1, networkMask: 16, maxBuckets: 4096 }))).toBe(true);
    expect(limits.networkBuckets!.capacity).toBe(4096);
    expect(limits.reconfigure(settings({ burst: null }))).toBe(false);
    expect(limits.networkBuckets).toBeNull();
    expect(check(limits, '192.0.2.1')).toBeNull();
    expect(limits.reconfigure(settings({ burst: 1 }))).toBe(true);
  });

  it('a thread that adopts the share charges the very same buckets', () => {
    const main = new RateLimits(settings({ burst: null }), () => {});
    const thread = new RateLimits(main.share.settings, () => {}, main.share);
    main.reconfigure(settings({ burst: 2 }));
    thread.adopt(main.share);
    expect(check(thread, '203.0.113.5')).toBeNull();
    expect(check(main, '203.0.113.5')).toBeNull();
    expect(check(thread, '203.0.113.5')).toBe('network');
  });
});
