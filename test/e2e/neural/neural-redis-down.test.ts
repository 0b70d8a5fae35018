import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import type { TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { until } from '../../helpers/until.js';
import { api, startNeuralFuzzyd } from './neural-harness.js';

let redis: TestRedis;
let fuzzyd: TestFuzzyd;
let call: ReturnType<typeof api>;
let client: FuzzyClient;

beforeAll(async () => {
  redis = await startRedisServer();
  fuzzyd = await startNeuralFuzzyd({
    FUZZYD_REDIS_URL: redis.url,
    FUZZYD_NEURAL_CONFIG: JSON.stringify({ prefix: `down${process.pid}`, rules: { default: { watch_interval: 1 } } }),
  });
  call = api(fuzzyd);
  client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 1000, retries: 1 });
});

afterAll(async () => {
  await client?.close();
  await fuzzyd?.close();
  await redis?.stop();
});

describe('neural routes while Redis is down', () => {
  it('answer 503 with a clear message, the fuzzy plane keeps answering, and Redis coming back heals them', async (ctx) => {
    if (!redis.owned) ctx.skip(); // a shared FUZZYD_TEST_REDIS_URL server cannot be stopped
    const digest = randomDigest();
    await client.write(digest, 3, 42);
    expect((await call('GET', '/rules')).statusCode).toBe(200);

    await redis.stop();
    await until('the outage to be noticed', async () => (await call('GET', '/rules')).statusCode === 503, 5000, 100);
    const started = Date.now();
    const res = await call('GET', '/rules');
    expect(Date.now() - started).toBeLessThan(1500); // fails fast instead of hanging on a dead connection
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().detail).toMatch(/^neural: Redis at redis:\/\/127\.0\.0\.1:\d+\/0 is not reachable; fuzzyd keeps reconnecting/);
    expect((await call('POST', '/rules/default/settings/default/train')).statusCode).toBe(503);
    expect((await call('GET', '/jobs')).statusCode).toBe(200); // in-memory: still readable

    // UDP CHECK (and WRITE) are untouched by the outage.
    expect(await client.check(digest)).toMatchObject({ value: 42, flag: 3, prob: 1 });
    const other = randomDigest();
    await client.write(other, 1, 1);
    expect((await client.check(other)).prob).toBe(1);

    const back = await startRedisServer({ port: redis.port });
    redis = back;
    await until('neural routes to work again', async () => (await call('GET', '/rules')).statusCode === 200, 10_000, 100);
    const items = (await call('GET', '/rules')).json();
    expect(items).toEqual([expect.objectContaining({ rule: 'default', settings: 'default', profiles: [] })]);
  });
});
