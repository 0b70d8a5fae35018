import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { nearDuplicate, randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { type RspamdFuzzyWorker, startRspamdFuzzyWorker } from '../helpers/rspamd-fuzzy-worker.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { RSPAMD_GENERATIONS } from '../helpers/rspamd-generation.js';

/**
 * fuzzyd's Redis backend and rspamd's own fuzzy worker (Redis backend) of each generation on one Redis: each serves
 * what the other wrote, exact and through shingles — the layout is shared, not merely similar. With rspamd 4.x that
 * includes multi-flag hashes (F1..F7/V1..V7) and deletions by digest through the S field.
 */
describe.each(RSPAMD_GENERATIONS)('shared Redis with rspamd $version', (gen) => {
  if (skippedHere(gen)) return;
  let redis: TestRedis;
  let worker: RspamdFuzzyWorker;
  let rspamd: FuzzyClient;
  let store: RedisBackend;

  beforeAll(async () => {
    redis = await startRedisServer();
    worker = await startRspamdFuzzyWorker({ generation: gen, backend: 'redis', redisUrl: redis.url, sync: '0.2s' });
    // A client of the generation: 4.x asks for multi-flag replies with version 0x14.
    rspamd = new FuzzyClient({ host: worker.host, port: worker.port, timeoutMs: 1000, retries: 2, version: gen.multiFlag ? 0x14 : 4 });
    store = await RedisBackend.open({ address: redis.url, prefix: 'fuzzy', expireSeconds: 86_400 });
  });
  afterAll(async () => {
    await rspamd?.close();
    await store?.close();
    await worker?.remove();
    await redis?.stop();
  });

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

  describe.skipIf(!gen.multiFlag)('multi-flag hashes (rspamd ≥ 4.0)', () => {
    it('fuzzyd serves the flags rspamd wrote, exactly and through shingles', async () => {
      const digest = randomDigest();
      const shingles = randomShingles();
      expect((await rspamd.write(digest, 50, 10, shingles.toBigInts())).prob).toBe(1);
      expect((await rspamd.write(digest, 51, 4)).prob).toBe(1);
      await worker.sync();
      expect(await store.check(digest, null)).toMatchObject({ prob: 1, flag: 50, value: 10, extraFlags: [{ flag: 51, value: 4 }] });
      const near = await store.check(randomDigest(), nearDuplicate(shingles, 2));
      expect(near).toMatchObject({ flag: 50, extraFlags: [{ flag: 51, value: 4 }] });
      expect(near.digest.equals(digest)).toBe(true);
    });

    it('rspamd serves the flags fuzzyd wrote, with the highest value in the primary slot', async () => {
      const digest = randomDigest();
      const shingles = randomShingles();
      await store.update({ kind: 'write', rule: 'multi', digest, flag: 60, value: 3, shingles });
      await store.update({ kind: 'write', rule: 'multi', digest, flag: 61, value: 9, shingles: null });
      const exact = await rspamd.check(digest);
      expect(exact).toMatchObject({ prob: 1, flag: 61, value: 9, format: 144, extraFlags: [{ flag: 60, value: 3 }] });
      const near = await rspamd.check(randomDigest(), nearDuplicate(shingles, 3).toBigInts());
      expect(near.prob).toBeGreaterThan(0.5);
      expect(near).toMatchObject({ flag: 61, extraFlags: [{ flag: 60, value: 3 }] });
    });

    it('adding a flag through either side keeps both; a DEL through either side removes the digest and its slots', async () => {
      const first = randomDigest();
      const shingles = randomShingles();
      await store.update({ kind: 'write', rule: 'multi', digest: first, flag: 1, value: 2, shingles });
      await rspamd.write(first, 2, 5);
      await worker.sync();
      expect(await store.check(first, null)).toMatchObject({ flag: 2, value: 5, extraFlags: [{ flag: 1, value: 2 }] });
      // rspamd's DEL finds the slots through the S field fuzzyd wrote.
      await rspamd.del(first, 1);
      await worker.sync();
      expect((await store.check(first, null)).prob).toBe(0);
      expect((await store.check(randomDigest(), shingles)).prob).toBe(0);

      const second = randomDigest();
      const other = randomShingles();
      await rspamd.write(second, 7, 1, other.toBigInts());
      await worker.sync();
      expect((await store.update({ kind: 'del', digest: second })).status).toBe('deleted');
      expect((await rspamd.check(second)).prob).toBe(0);
      expect((await rspamd.check(randomDigest(), other.toBigInts())).prob).toBe(0);
    });
  });
});
