import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { nearDuplicate, randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let raw: Redis;
let store: RedisBackend;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  store = await RedisBackend.open({ address: redis.url, prefix: 'fz', expireSeconds: 3600 });
});
afterAll(async () => {
  await store.close();
  raw.disconnect();
  await redis.stop();
});

// What every backend must do is in test/contract (run against Redis by test/contract/redis-backend.test.ts); these are
// the Redis backend's own: rspamd's key layout, hashes rspamd wrote, and compare-and-set between instances.
describe('Redis backend: rspamd key layout (spec/fuzzy-storage.md §3.2)', () => {
  it('a WRITE stores the binary digest hash with F, V, C and a TTL, and 32 slot keys holding the raw digest', async () => {
    const digest = randomDigest();
    const shingles = randomShingles();
    expect((await store.update({ kind: 'write', rule: 'single', digest, flag: 7, value: 10, shingles })).status).toBe('added');
    const key = Buffer.concat([Buffer.from('fz'), digest]);
    const fields = await raw.hgetall(key);
    expect(fields.F).toBe('7');
    expect(fields.V).toBe('10');
    expect(Number(fields.C)).toBeGreaterThan(1_700_000_000);
    expect(await raw.ttl(key)).toBeGreaterThan(3500);
    const slot = await raw.getBuffer(`fz_5_${shingles.at(5)}`);
    expect(slot?.equals(digest)).toBe(true);
    expect(await raw.ttl(`fz_5_${shingles.at(5)}`)).toBeGreaterThan(3500);
    // rspamd ≥ 4.1.3 reads the shingle set from S as comma-joined slot key suffixes.
    expect(fields.S.split(',')).toEqual(shingles.toBigInts().map((v, i) => `${i}_${v}`));
  });

  it('multi-flag writes use rspamd 4.x fields F1..F7/V1..V7, the highest value in F/V', async () => {
    const digest = randomDigest();
    await store.update({ kind: 'write', rule: 'multi', digest, flag: 50, value: 3, shingles: null });
    await store.update({ kind: 'write', rule: 'multi', digest, flag: 51, value: 8, shingles: null });
    const fields = await raw.hgetall(Buffer.concat([Buffer.from('fz'), digest]));
    expect(fields).toMatchObject({ F: '51', V: '8', F1: '50', V1: '3' });
    expect(fields.F2).toBeUndefined();
    expect(await store.check(digest, null)).toMatchObject({ flag: 51, value: 8, extraFlags: [{ flag: 50, value: 3 }] });
    // A 3.x re-flag keeps the other slot and drops nothing but the old primary.
    await store.update({ kind: 'write', rule: 'single', digest, flag: 50, value: 1, shingles: null });
    expect(await raw.hgetall(Buffer.concat([Buffer.from('fz'), digest]))).toMatchObject({ F: '50', V: '1' });
    expect((await store.get(digest))?.extraFlags).toEqual([]);
  });

  it('reads hashes rspamd 4.x wrote: extra slots in slot order, S with comma-joined suffixes for a DEL by digest', async () => {
    const digest = randomDigest();
    const shingles = randomShingles();
    const key = Buffer.concat([Buffer.from('fz'), digest]);
    const suffixes = shingles.toBigInts().map((v, i) => `${i}_${v}`);
    await raw.hset(key, { F: '7', V: '9', F1: '3', V1: '2', F2: '4', V2: '1', C: '1700000000', S: suffixes.join(',') });
    await raw.incr('fz_count');
    for (const suffix of suffixes) await raw.set(`fz_${suffix}`, digest);
    expect(await store.check(digest, null)).toMatchObject({ flag: 7, value: 9, ts: 1700000000, extraFlags: [{ flag: 3, value: 2 }, { flag: 4, value: 1 }] });
    expect((await store.update({ kind: 'del', digest })).status).toBe('deleted');
    expect(await raw.exists(key)).toBe(0);
    expect(await raw.exists(`fz_0_${shingles.at(0)}`)).toBe(0);
  });

  it('concurrent writers of one digest, in this instance and in another one, lose no write (compare-and-set retries)', async () => {
    const other = await RedisBackend.open({ address: redis.url, prefix: 'fz', expireSeconds: 3600 });
    const digest = randomDigest();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? other : store).update({ kind: 'write', rule: 'multi', digest, flag: 1 + (i % 4), value: 1, shingles: null }),
      ),
    );
    await other.close();
    const hash = await store.get(digest);
    const all = [{ flag: hash!.flag, value: hash!.value }, ...hash!.extraFlags];
    expect(all.reduce((n, s) => n + s.value, 0)).toBe(20);
    expect(all.map((s) => s.value)).toEqual([5, 5, 5, 5]);
  });

  it('a DEL by digest also removes the slot keys it still owns, not those taken over', async () => {
    const first = randomDigest();
    const second = randomDigest();
    const shingles = randomShingles();
    await store.update({ kind: 'write', rule: 'single', digest: first, flag: 1, value: 1, shingles });
    // `second` shares only slot 31 with `first` and, written later, owns it; slots 0..30 still point at `first`.
    const overlapping = nearDuplicate(shingles, 31);
    await store.update({ kind: 'write', rule: 'single', digest: second, flag: 1, value: 1, shingles: overlapping });
    await store.update({ kind: 'del', digest: first });
    expect(await raw.exists(`fz_0_${shingles.at(0)}`)).toBe(0);
    expect((await raw.getBuffer(`fz_31_${shingles.at(31)}`))?.equals(second)).toBe(true);
  });

});
