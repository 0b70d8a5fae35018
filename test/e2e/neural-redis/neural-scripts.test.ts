import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerNeuralScripts, type NeuralRedisClient } from '../../../server/src/neural/redis/neural-scripts.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';

let server: TestRedis;
let redis: NeuralRedisClient;
let n = 0;
let key: string;

beforeAll(async () => {
  server = await startRedisServer();
  redis = registerNeuralScripts(new Redis(server.url));
});

afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

beforeEach(() => {
  // Each test gets its own keys, so the suite also runs against a shared FUZZYD_TEST_REDIS_URL.
  key = `scripts${process.pid}t${++n}_default_default_5rmbwnuk_0`;
});

describe('vectors_len (spec/neural.md §6.1)', () => {
  it('counts the 3.4 sets when unlocked', async () => {
    await redis.sadd(`${key}_spam_set`, 'a', 'b', 'c');
    await redis.sadd(`${key}_ham_set`, 'x');
    await redis.rpush(`${key}_spam`, 'ignored-by-3.4');
    expect(await redis.neuralVectorsLen(key)).toEqual([3, 1]);
  });

  it('counts the 2020 lists in the LLEN variant', async () => {
    await redis.lpush(`${key}_spam`, 'a', 'a');
    await redis.lpush(`${key}_ham`, 'x', 'y', 'z');
    await redis.sadd(`${key}_spam_set`, 'not-a-list');
    expect(await redis.neuralVectorsLenList(key)).toEqual([2, 3]);
  });

  it('returns "host:lock" while any lock exists, however old, in both variants', async () => {
    await redis.sadd(`${key}_spam_set`, 'a');
    await redis.hset(key, 'lock', '1000', 'hostname', 'trainer-1');
    expect(await redis.neuralVectorsLen(key)).toBe('trainer-1:1000');
    expect(await redis.neuralVectorsLenList(key)).toBe('trainer-1:1000');
    await redis.hdel(key, 'hostname');
    expect(await redis.neuralVectorsLen(key)).toBe('unknown:1000');
  });

  it('returns zero counts for a key that does not exist', async () => {
    expect(await redis.neuralVectorsLen(key)).toEqual([0, 0]);
  });
});

describe('maybe_lock (spec/neural.md §6.3, §8)', () => {
  const NOW = 1_700_000_000;

  it('takes a free lock and records the host', async () => {
    expect(await redis.neuralMaybeLock(key, String(NOW), '120', 'me')).toBe(1);
    expect(await redis.hgetall(key)).toEqual({ lock: String(NOW), hostname: 'me' });
  });

  it('refuses a held lock (0 < now - lock < expire) and reports its time and host', async () => {
    await redis.hset(key, 'lock', String(NOW - 119), 'hostname', 'other');
    expect(await redis.neuralMaybeLock(key, String(NOW), '120', 'me')).toEqual([String(NOW - 119), 'other']);
    expect(await redis.hget(key, 'hostname')).toBe('other');
  });

  it('reports unknown when a held lock has no hostname', async () => {
    await redis.hset(key, 'lock', String(NOW - 1));
    expect(await redis.neuralMaybeLock(key, String(NOW), '120', 'me')).toEqual([String(NOW - 1), 'unknown']);
  });

  it.each([
    ['stale (now - lock == expire)', NOW - 120],
    ['stale (much older)', NOW - 100_000],
    ['set in the same second', NOW],
    ['in the future', NOW + 30],
  ])('takes over a lock that is %s', async (_label, lock) => {
    await redis.hset(key, 'lock', String(lock), 'hostname', 'other');
    expect(await redis.neuralMaybeLock(key, String(NOW), '120', 'me')).toBe(1);
    expect(await redis.hgetall(key)).toEqual({ lock: String(NOW), hostname: 'me' });
  });
});

describe('maybe_invalidate (spec/neural.md §6.2)', () => {
  const profile = (k: string, v: number): string => JSON.stringify({ digest: 'd', symbols: [], version: v, redis_key: `${k}_${v}` });

  it('does nothing while the zset holds at most `limit` members', async () => {
    const zset = `${key}_zset`;
    await redis.zadd(zset, 1, profile(key, 0), 2, profile(key, 1), 3, profile(key, 2));
    await redis.hset(`${key}_0`, 'hostname', 'h');
    expect(await redis.neuralMaybeInvalidate(zset, '3')).toEqual([]);
    expect(await redis.zcard(zset)).toBe(3);
    expect(await redis.exists(`${key}_0`)).toBe(1);
  });

  it('deletes the oldest profiles with their hash and both vector layouts, returning the members', async () => {
    const zset = `${key}_zset`;
    await redis.zadd(zset, 10, profile(key, 0), 20, profile(key, 1), 30, profile(key, 2), 40, profile(key, 3));
    await redis.zadd(zset, 5, '{"not":"a profile"}');
    for (const v of [0, 1, 2]) {
      await redis.hset(`${key}_${v}`, 'hostname', 'h');
      await redis.sadd(`${key}_${v}_spam_set`, 's');
      await redis.sadd(`${key}_${v}_ham_set`, 'h');
      await redis.lpush(`${key}_${v}_spam`, 's');
      await redis.lpush(`${key}_${v}_ham`, 'h');
    }
    const removed = await redis.neuralMaybeInvalidate(zset, '2');
    expect(removed).toEqual(['{"not":"a profile"}', profile(key, 0), profile(key, 1)]);
    expect(await redis.zrange(zset, 0, -1)).toEqual([profile(key, 2), profile(key, 3)]);
    for (const v of [0, 1]) {
      for (const suffix of ['', '_spam_set', '_ham_set', '_spam', '_ham']) {
        expect(await redis.exists(`${key}_${v}${suffix}`), `${v}${suffix}`).toBe(0);
      }
    }
    expect(await redis.exists(`${key}_2`, `${key}_2_spam_set`, `${key}_2_ham_set`)).toBe(3);
  });
});

describe('save_unlock (spec/neural.md §6.4)', () => {
  const NOW = 1_700_000_000;

  async function prepare(): Promise<{ oldKey: string; newKey: string; zset: string; member: string }> {
    const oldKey = key;
    const newKey = key.replace(/_0$/, '_1');
    const zset = `${key}_zset`;
    await redis.hset(oldKey, 'lock', String(NOW - 5), 'hostname', 'me');
    await redis.sadd(`${oldKey}_spam_set`, 'trained-from');
    await redis.sadd(`${newKey}_spam_set`, 'stale');
    await redis.sadd(`${newKey}_ham_set`, 'stale');
    await redis.hset(newKey, 'lock', String(NOW - 5));
    const member = JSON.stringify({ digest: 'd', symbols: ['A'], version: 1, redis_key: newKey });
    return { oldKey, newKey, zset, member };
  }

  it('with 8 keys: publishes the profile, ann and ROC, sets the TTL, unlocks both keys, clears the new sets', async () => {
    const { oldKey, newKey, zset, member } = await prepare();
    const ann = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xff, 0x0a, 0x0d]);
    const reply = await redis.neuralSaveUnlock8(newKey, zset, ann, member, '86400', String(NOW), oldKey, '[]');
    expect(reply).toBe(1);
    expect(await redis.zscore(zset, member)).toBe(String(NOW));
    expect(await redis.hgetBuffer(newKey, 'ann')).toEqual(ann);
    expect(await redis.hget(newKey, 'roc_thresholds')).toBe('[]');
    expect(await redis.hexists(newKey, 'pca')).toBe(0);
    const ttl = await redis.ttl(newKey);
    expect(ttl).toBeGreaterThan(86_300);
    expect(ttl).toBeLessThanOrEqual(86_400);
    expect(await redis.hexists(newKey, 'lock')).toBe(0);
    expect(await redis.hgetall(oldKey)).toEqual({ hostname: 'me' });
    expect(await redis.exists(`${newKey}_spam_set`, `${newKey}_ham_set`)).toBe(0);
    // rspamd leaves the trained-from vectors in place (§9.3); the script must too.
    expect(await redis.smembers(`${oldKey}_spam_set`)).toEqual(['trained-from']);
  });

  it('with 9 keys: also stores the PCA blob', async () => {
    const { oldKey, newKey, zset, member } = await prepare();
    const pca = Buffer.from([1, 2, 3, 0, 255]);
    await redis.neuralSaveUnlock9(newKey, zset, Buffer.from('ann'), member, '60', String(NOW), oldKey, '[0.5,-0.5]', pca);
    expect(await redis.hgetBuffer(newKey, 'pca')).toEqual(pca);
    expect(await redis.hget(newKey, 'roc_thresholds')).toBe('[0.5,-0.5]');
  });
});

describe('lock upkeep scripts', () => {
  it('refresh writes the given value only over an existing lock of the expected host', async () => {
    expect(await redis.neuralRefreshLock(key, '99', '')).toBe(0);
    expect(await redis.hexists(key, 'lock')).toBe(0);
    await redis.hset(key, 'lock', '10', 'hostname', 'me');
    expect(await redis.neuralRefreshLock(key, '99', 'someone-else')).toBe(0);
    expect(await redis.hget(key, 'lock')).toBe('10');
    expect(await redis.neuralRefreshLock(key, '99', 'me')).toBe(1);
    expect(await redis.hget(key, 'lock')).toBe('99');
  });

  it('extend increments an existing lock (HINCRBY) and never creates one', async () => {
    expect(await redis.neuralExtendLock(key, '30', '')).toBe(0);
    expect(await redis.hexists(key, 'lock')).toBe(0);
    await redis.hset(key, 'lock', '100');
    expect(await redis.neuralExtendLock(key, '30', '')).toBe(130);
  });
});

describe('script loading', () => {
  it('reloads a script after SCRIPT FLUSH (NOSCRIPT) transparently', async () => {
    await redis.sadd(`${key}_ham_set`, 'x');
    expect(await redis.neuralVectorsLen(key)).toEqual([0, 1]);
    await redis.script('FLUSH');
    expect(await redis.neuralVectorsLen(key)).toEqual([0, 1]);
  });
});
