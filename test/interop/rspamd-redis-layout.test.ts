import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { nearDuplicate, randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { type RspamdFuzzyWorker, startRspamdFuzzyWorker } from '../helpers/rspamd-fuzzy-worker.js';

/**
 * fuzzyd's Redis backend and rspamd 3.4's own fuzzy worker (Redis backend) on one Redis: each serves what the other
 * wrote, exact and through shingles — the layout is shared, not merely similar.
 */
let redis: TestRedis;
let worker: RspamdFuzzyWorker;
let rspamd: FuzzyClient;
let store: RedisBackend;

beforeAll(async () => {
  redis = await startRedisServer();
  worker = await startRspamdFuzzyWorker({ backend: 'redis', redisUrl: redis.url, sync: '0.2s' });
  rspamd = new FuzzyClient({ host: worker.host, port: worker.port, timeoutMs: 1000, retries: 2 });
  store = await RedisBackend.open({ url: redis.url, prefix: 'fuzzy', expireSeconds: 86_400 });
});
afterAll(async () => {
  await rspamd?.close();
  await store?.close();
  await worker?.remove();
  await redis?.stop();
});

describe('shared Redis with rspamd 3.4', () => {
  it('fuzzyd serves hashes rspamd wrote', async () => {
    const digest = randomDigest();
    const shingles = randomShingles();
    expect((await rspamd.write(digest, 5, 12, shingles.toBigInts())).prob).toBe(1);
    await worker.sync();
    expect(await store.check(digest, null)).toMatchObject({ prob: 1, flag: 5, value: 12 });
    const fuzzy = await store.check(randomDigest(), nearDuplicate(shingles, 2));
    expect(fuzzy.prob).toBeCloseTo(30 / 32);
    expect(fuzzy.digest.equals(digest)).toBe(true);
  });

  it('rspamd serves hashes fuzzyd wrote, and sees fuzzyd delete them', async () => {
    const digest = randomDigest();
    const shingles = randomShingles();
    await store.update({ kind: 'write', rule: 'single', digest, flag: 2, value: 8, shingles });
    expect(await rspamd.check(digest)).toMatchObject({ prob: 1, flag: 2, value: 8 });
    const fuzzy = await rspamd.check(randomDigest(), nearDuplicate(shingles, 3).toBigInts());
    expect(fuzzy.prob).toBeGreaterThan(0.5);
    expect(fuzzy.digest.equals(digest)).toBe(true);
    await store.update({ kind: 'del', digest });
    expect((await rspamd.check(digest)).prob).toBe(0);
    expect((await rspamd.check(randomDigest(), shingles.toBigInts())).prob).toBe(0);
  });
});
