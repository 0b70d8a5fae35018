/**
 * The Redis store while its Redis does not answer (docs/spec/redis.md §2): a primary and a `read_servers` replica,
 * each paused (SIGSTOP: connections stay open, nothing is answered, the worst case for a client). CHECKs keep being
 * answered, from the replica while only the primary hangs and as counted misses while both do; WRITEs are refused,
 * never acknowledged, until the primary answers again; /health says which server is down; everything heals without a
 * restart. The pending CHECKs are bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import type { HealthResponse } from '../../shared/api/problem.js';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { StoreOverloadedError } from '../../server/src/fuzzy/fuzzy-backend.js';
import { loadConfig } from '../../server/src/config/app-config.js';
import { randomDigest } from '../helpers/fuzzy-data.js';
import { startTestFuzzyd, type TestFuzzyd } from '../helpers/in-process-fuzzyd.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { until } from '../helpers/until.js';

let primary: TestRedis;
let replica: TestRedis;
let fuzzyd: TestFuzzyd;
let client: FuzzyClient;

async function health(): Promise<HealthResponse> {
  return (await fuzzyd.request('GET', '/health')).json() as HealthResponse;
}
/** CHECKs counted with `result` (what /metrics shows as fuzzyd_udp_requests_total{command="check"}). */
function checkCounted(result: 'error' | 'overloaded'): number {
  return fuzzyd.runtime.stats.count('check', result);
}

// A shared FUZZYD_TEST_REDIS_URL server cannot be paused: these tests need their own.
const own = !process.env.FUZZYD_TEST_REDIS_URL;

beforeAll(async () => {
  if (!own) return;
  primary = await startRedisServer();
  replica = await startRedisServer({ extraArgs: ['--replicaof', '127.0.0.1', String(primary.port)] });
  fuzzyd = await startTestFuzzyd({
    FUZZYD_BACKEND: 'redis',
    FUZZYD_REDIS_WRITE_SERVERS: `127.0.0.1:${primary.port}`,
    FUZZYD_REDIS_READ_SERVERS: `127.0.0.1:${replica.port}`,
    FUZZYD_REDIS_PREFIX: 'fz_hang',
    FUZZYD_REDIS_TIMEOUT: '300ms',
  });
  client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 3000, retries: 0 });
}, 60_000);

afterAll(async () => {
  primary?.resume();
  replica?.resume();
  await client?.close();
  await fuzzyd?.close();
  await replica?.stop();
  await primary?.stop();
});

describe.skipIf(!own)('Redis primary and replica that stop answering', () => {
  it('answers CHECKs from the replica while the primary hangs, refuses WRITEs, and heals', { timeout: 120_000 }, async () => {
    const digest = randomDigest();
    expect(await client.write(digest, 3, 7)).toMatchObject({ prob: 1, value: 0 });
    // Reads go to the replica: the write is seen once replication carried it there.
    await until('the replica serves the write', async () => (await client.check(digest)).prob === 1);
    const before = await health();
    expect(before.status).toBe('ok');
    expect(before.redis).toEqual([
      { use: 'fuzzy', role: 'primary', address: `127.0.0.1:${primary.port}`, reachable: true, via: 'configured' },
      { use: 'fuzzy', role: 'replica', address: `127.0.0.1:${replica.port}`, reachable: true, via: 'read_servers' },
      // The neural data lives on the same primary.
      { use: 'neural', role: 'primary', address: `127.0.0.1:${primary.port}`, reachable: true, via: 'configured' },
    ]);

    primary.pause();
    expect(await client.check(digest)).toMatchObject({ prob: 1, flag: 3, value: 7 });
    const refused = await client.write(randomDigest(), 3, 1);
    expect(refused.value).toBe(500); // the protocol's error reply: not acknowledged
    expect(refused.prob).toBe(0);
    const down = await health();
    expect(down.status).toBe('degraded');
    expect(down.redis?.map((s) => [s.use, s.role, s.reachable])).toEqual([['fuzzy', 'primary', false], ['fuzzy', 'replica', true], ['neural', 'primary', false]]);

    replica.pause();
    const errorsBefore = checkCounted('error');
    const miss = await client.check(digest);
    expect(miss.prob).toBe(0);
    expect(checkCounted('error')).toBe(errorsBefore + 1);

    primary.resume();
    replica.resume();
    const later = randomDigest();
    await until('WRITEs are acknowledged again', async () => (await client.write(later, 4, 2)).value === 0);
    await until('the replica serves the new write', async () => (await client.check(later)).prob === 1);
    expect((await health()).status).toBe('ok');
  });

  it('bounds the CHECKs waiting for a Redis that does not answer: past 10000, a miss at once (overloaded)', { timeout: 60_000 }, async () => {
    const address = loadConfig({ FUZZYD_REDIS_URL: primary.url, FUZZYD_REDIS_TIMEOUT: '20s' }).redis!;
    const store = await RedisBackend.open({ address, prefix: 'fz_bound', expireSeconds: 3600 });
    primary.pause();
    try {
      const waiting = Array.from({ length: 10_000 }, () => store.check(randomDigest(), null).catch((err: Error) => err));
      const refused = await store.check(randomDigest(), null).catch((err: Error) => err);
      expect(refused).toBeInstanceOf(StoreOverloadedError);
      primary.resume();
      const settled = await Promise.all(waiting);
      expect(settled.filter((r) => r instanceof Error)).toHaveLength(0);
      // The bound is freed as the CHECKs end.
      expect((await store.check(randomDigest(), null)).prob).toBe(0);
    } finally {
      primary.resume();
      await store.close();
    }
  });

  it('wait_replicas: a write no replica confirms in time is refused, one a replica holds is acknowledged', { timeout: 60_000 }, async () => {
    const alone = await startRedisServer();
    const open = (url: string, replicas: string) =>
      RedisBackend.open({ address: loadConfig({ FUZZYD_REDIS_URL: url, FUZZYD_REDIS_WAIT_REPLICAS: replicas, FUZZYD_REDIS_TIMEOUT: '1s' }).redis!, prefix: 'fz_wait', expireSeconds: 3600 });
    const lonely = await open(alone.url, '1');
    const replicated = await open(primary.url, '1');
    try {
      const write = { kind: 'write' as const, rule: 'single' as const, flag: 1, value: 1, shingles: null };
      await expect(lonely.update({ ...write, digest: randomDigest() })).rejects.toThrow(/0 of 1 Redis replicas confirmed the write/);
      await expect(replicated.update({ ...write, digest: randomDigest() })).resolves.toMatchObject({ status: 'added' });
    } finally {
      await lonely.close();
      await replicated.close();
      await alone.stop();
    }
  });
});
