import { describe, expect, it } from 'vitest';
import { encodeRequest } from '../../../shared/protocol/codec.js';
import { RetransmitCache } from '../../../server/src/udp/retransmit-cache.js';

const digest = (n: number): Buffer => {
  const d = Buffer.alloc(64);
  d.writeUInt32LE(n, 0);
  d.writeUInt32LE(n * 7919, 12);
  return d;
};

/** A WRITE (or another command) as it arrives; `key` hashes everything after the version byte. */
type Fields = { cmd?: number; flag?: number; value?: number; version?: number; shingles?: bigint[] };
const request = (tag: number, d: Buffer, f: Fields = {}): Buffer =>
  encodeRequest({ cmd: f.cmd ?? 1, flag: f.flag ?? 1, value: f.value ?? 10, tag, digest: d, version: f.version, shingles: f.shingles });
const key = (address: string, port: number, tag: number, d: Buffer, f: Fields = {}): number =>
  RetransmitCache.key(address, port, request(tag, d, f));

describe('RetransmitCache', () => {
  it('keys differ by source address, port, tag and digest', () => {
    const base = key('10.0.0.1', 5000, 7, digest(1));
    expect(key('10.0.0.1', 5000, 7, digest(1))).toBe(base);
    expect(key('10.0.0.2', 5000, 7, digest(1))).not.toBe(base);
    expect(key('10.0.0.1', 5001, 7, digest(1))).not.toBe(base);
    expect(key('10.0.0.1', 5000, 8, digest(1))).not.toBe(base);
    expect(key('10.0.0.1', 5000, 7, digest(2))).not.toBe(base);
    expect(Number.isSafeInteger(base)).toBe(true);
  });

  it('keys differ by everything else in the request too: command, flag, value, the digest past byte 16, shingles', () => {
    const base = key('10.0.0.1', 5000, 7, digest(1));
    expect(key('10.0.0.1', 5000, 7, digest(1), { cmd: 2 })).not.toBe(base);
    expect(key('10.0.0.1', 5000, 7, digest(1), { flag: 2 })).not.toBe(base);
    expect(key('10.0.0.1', 5000, 7, digest(1), { value: 11 })).not.toBe(base);
    const late = digest(1);
    late[63] ^= 1;
    expect(key('10.0.0.1', 5000, 7, late)).not.toBe(base);
    const shingles = Array.from({ length: 32 }, (_, i) => BigInt(i));
    const withShingles = key('10.0.0.1', 5000, 7, digest(1), { shingles });
    expect(withShingles).not.toBe(base);
    shingles[31] = 99n;
    expect(key('10.0.0.1', 5000, 7, digest(1), { shingles })).not.toBe(withShingles);
  });

  it('a resend that switched from version 0x14 to 5 is the same request', () => {
    expect(key('10.0.0.1', 5000, 7, digest(1), { version: 0x14 })).toBe(key('10.0.0.1', 5000, 7, digest(1), { version: 5 }));
  });

  it('reports a resend as pending while the first copy commits, done after, and forgets it after the TTL', () => {
    const cache = new RetransmitCache(6_000);
    const k = key('127.0.0.1', 4000, 1, digest(5));
    expect(cache.lookup(k, 1_000)).toBeUndefined();
    cache.begin(k, 1_000);
    expect(cache.lookup(k, 1_500)).toBe('pending');
    cache.finish(k, true, 1_800);
    expect(cache.lookup(k, 2_000)).toBe('done');
    expect(cache.lookup(k, 7_000)).toBe('done');
    expect(cache.lookup(k, 7_001)).toBeUndefined();
  });

  it('forgets an update that was not accepted, so its resend is applied', () => {
    const cache = new RetransmitCache();
    const k = key('127.0.0.1', 4000, 2, digest(6));
    cache.begin(k);
    cache.finish(k, false);
    expect(cache.lookup(k)).toBeUndefined();
  });

  it('holds many distinct live updates at once and, past its capacity, drops the oldest first', () => {
    const cache = new RetransmitCache(60_000, 1 << 16);
    const keys = Array.from({ length: 4_000 }, (_, i) => key('192.0.2.1', 1024 + (i % 50), i, digest(i)));
    keys.forEach((k, i) => cache.begin(k, 10_000 + i));
    keys.forEach((k) => cache.finish(k, true, 15_000));
    expect(keys.every((k) => cache.lookup(k, 20_000) === 'done')).toBe(true);

    const small = new RetransmitCache(60_000, 16);
    const many = Array.from({ length: 200 }, (_, i) => key('192.0.2.9', 9, i, digest(i)));
    many.forEach((k, i) => small.begin(k, 1_000 + i));
    const remembered = many.filter((k) => small.lookup(k, 2_000) !== undefined);
    expect(remembered.length).toBeLessThanOrEqual(16);
    expect(remembered.length).toBeGreaterThan(0);
    // The newest update is always remembered: a full set evicts its oldest way.
    expect(small.lookup(many[many.length - 1], 2_000)).toBe('pending');
  });
});
