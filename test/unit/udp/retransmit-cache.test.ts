import { describe, expect, it } from 'vitest';
import { RetransmitCache } from '../../../server/src/udp/retransmit-cache.js';

const digest = (n: number): Buffer => {
  const d = Buffer.alloc(64);
  d.writeUInt32LE(n, 0);
  d.writeUInt32LE(n * 7919, 12);
  return d;
};

describe('RetransmitCache', () => {
  it('keys differ by source address, port, tag and digest', () => {
    const base = RetransmitCache.key('10.0.0.1', 5000, 7, digest(1));
    expect(RetransmitCache.key('10.0.0.1', 5000, 7, digest(1))).toBe(base);
    expect(RetransmitCache.key('10.0.0.2', 5000, 7, digest(1))).not.toBe(base);
    expect(RetransmitCache.key('10.0.0.1', 5001, 7, digest(1))).not.toBe(base);
    expect(RetransmitCache.key('10.0.0.1', 5000, 8, digest(1))).not.toBe(base);
    expect(RetransmitCache.key('10.0.0.1', 5000, 7, digest(2))).not.toBe(base);
    expect(Number.isSafeInteger(base)).toBe(true);
  });

  it('reports a resend as pending while the first copy commits, done after, and forgets it after the TTL', () => {
    const cache = new RetransmitCache(6_000);
    const key = RetransmitCache.key('127.0.0.1', 4000, 1, digest(5));
    expect(cache.lookup(key, 1_000)).toBeUndefined();
    cache.begin(key, 1_000);
    expect(cache.lookup(key, 1_500)).toBe('pending');
    cache.finish(key, true, 1_800);
    expect(cache.lookup(key, 2_000)).toBe('done');
    expect(cache.lookup(key, 7_000)).toBe('done');
    expect(cache.lookup(key, 7_001)).toBeUndefined();
  });

  it('forgets an update that was not accepted, so its resend is applied', () => {
    const cache = new RetransmitCache();
    const key = RetransmitCache.key('127.0.0.1', 4000, 2, digest(6));
    cache.begin(key);
    cache.finish(key, false);
    expect(cache.lookup(key)).toBeUndefined();
  });

  it('holds many distinct live updates at once and, past its capacity, drops the oldest first', () => {
    const cache = new RetransmitCache(60_000, 1 << 16);
    const keys = Array.from({ length: 4_000 }, (_, i) => RetransmitCache.key('192.0.2.1', 1024 + (i % 50), i, digest(i)));
    keys.forEach((k, i) => cache.begin(k, 10_000 + i));
    keys.forEach((k) => cache.finish(k, true, 15_000));
    expect(keys.every((k) => cache.lookup(k, 20_000) === 'done')).toBe(true);

    const small = new RetransmitCache(60_000, 16);
    const many = Array.from({ length: 200 }, (_, i) => RetransmitCache.key('192.0.2.9', 9, i, digest(i)));
    many.forEach((k, i) => small.begin(k, 1_000 + i));
    const remembered = many.filter((k) => small.lookup(k, 2_000) !== undefined);
    expect(remembered.length).toBeLessThanOrEqual(16);
    expect(remembered.length).toBeGreaterThan(0);
    // The newest update is always remembered: a full set evicts its oldest way.
    expect(small.lookup(many[many.length - 1], 2_000)).toBe('pending');
  });
});
