/**
 * fuzzyd on a Redis Sentinel setup (a primary, two replicas, three sentinels; every data server with appendonly yes
 * and appendfsync always) under a stream of WRITEs, when the primary is killed (-9). fuzzyd runs with
 * wait_replicas = 1, so it acknowledges a write only once a replica holds it (docs/spec/redis.md §4). Every
 * acknowledged write must be on the primary Sentinel promotes; WRITEs are refused, never acknowledged, while no
 * primary answers; fuzzyd follows the new primary without a restart, and /health names it.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../shared/api/problem.js';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { RedisFuzzyKeys } from '../../server/src/fuzzy/redis/redis-fuzzy-keys.js';
import { randomDigest } from '../helpers/fuzzy-data.js';
import { startTestFuzzyd, type TestFuzzyd } from '../helpers/in-process-fuzzyd.js';
import { type SentinelSetup, startSentinelSetup } from '../helpers/redis-sentinel.js';
import { until } from '../helpers/until.js';

const PREFIX = 'fz_failover';
let setup: SentinelSetup | undefined;
let fuzzyd: TestFuzzyd | undefined;
let client: FuzzyClient | undefined;

afterAll(async () => {
  await client?.close();
  await fuzzyd?.close();
  await setup?.stop();
});

async function fuzzyPrimary(): Promise<NonNullable<HealthResponse['redis']>[number] | undefined> {
  const body = (await fuzzyd!.request('GET', '/health')).json() as HealthResponse;
  return body.redis?.find((s) => s.use === 'fuzzy' && s.role === 'primary');
}

describe('Sentinel failover under a WRITE stream', () => {
  it('loses no acknowledged write, acknowledges nothing without a primary, and follows the promoted replica', { timeout: 240_000 }, async () => {
    setup = await startSentinelSetup({ replicas: 2, sentinels: 3 });
    const firstPrimary = await setup.primaryPort();
    fuzzyd = await startTestFuzzyd({
      FUZZYD_BACKEND: 'redis',
      FUZZYD_REDIS_URL: '',
      FUZZYD_REDIS_SENTINELS: setup.sentinels,
      FUZZYD_REDIS_SENTINEL_MASTER: setup.masterName,
      FUZZYD_REDIS_SENTINEL_WATCH_TIME: '1s',
      FUZZYD_REDIS_WAIT_REPLICAS: '1',
      FUZZYD_REDIS_PREFIX: PREFIX,
    });
    expect(await fuzzyPrimary()).toMatchObject({ address: `127.0.0.1:${firstPrimary}`, reachable: true, via: `sentinel ${setup.masterName}` });
    client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 3000, retries: 0 });

    const acked: Buffer[] = [];
    let refused = 0;
    let ackedAfterFailover = 0;
    let failedOver = false;
    let sending = true;
    const inFlight = new Set<Promise<void>>();
    const writer = (async () => {
      while (sending) {
        const digest = randomDigest();
        const sentAfter = failedOver;
        const p: Promise<void> = client!
          .write(digest, 1, 1)
          .then((r) => {
            if (r.prob === 1 && r.value === 0) {
              acked.push(digest);
              if (sentAfter) ackedAfterFailover++;
            } else refused++;
          })
          .catch(() => {
            refused++; // no reply within 3 s: not acknowledged either
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 32) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    })();

    await until('1000 acknowledged writes', () => acked.length >= 1000, 60_000);
    await setup.servers[0].crash();
    const newPrimary = await setup.failedOverFrom(firstPrimary, 90_000);
    failedOver = true;
    await until('writes acknowledged by the promoted primary', () => ackedAfterFailover >= 500, 90_000);
    sending = false;
    await writer;
    await until('/health names the promoted primary', async () => (await fuzzyPrimary())?.address === `127.0.0.1:${newPrimary}`);
    expect((await fuzzyPrimary())?.reachable).toBe(true);
    expect(refused).toBeGreaterThan(0); // the outage was seen, and refused rather than acknowledged

    const keys = new RedisFuzzyKeys(PREFIX);
    const promoted = new Redis(newPrimary, '127.0.0.1');
    try {
      const pipeline = promoted.pipeline();
      for (const digest of acked) pipeline.hexists(keys.digest(digest), 'F');
      const present = (await pipeline.exec())!.map(([, v]) => v);
      const lost = present.filter((v) => v !== 1).length;
      expect({ acknowledged: acked.length, lost }).toEqual({ acknowledged: acked.length, lost: 0 });
    } finally {
      promoted.disconnect();
    }
  });
});
