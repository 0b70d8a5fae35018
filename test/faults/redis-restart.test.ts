/**
 * The Redis backend through a Redis crash: a stream of WRITEs with many in flight, Redis killed (-9) in the middle
 * and started again on its append-only file a little later. Every WRITE fuzzyd acknowledged must be there afterwards
 * (fuzzyd acknowledges only what Redis answered, and this Redis syncs before it answers); during the outage WRITEs
 * are refused (500), never acknowledged; /health says degraded; and fuzzyd heals without a restart.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { randomDigest } from '../helpers/fuzzy-data.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('fuzzyd-redis-restart-');
let redis: TestRedis | undefined;
let fuzzyd: FuzzydProcess | undefined;

afterAll(async () => {
  await fuzzyd?.stop();
  await redis?.stop();
  dir.remove();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function health(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${fuzzyd!.httpPort}/health`);
  return ((await res.json()) as { status: string }).status;
}

describe('Redis killed and restarted under a WRITE stream', () => {
  it('loses no acknowledged write, acknowledges nothing while down, and heals', { timeout: 120_000 }, async (ctx) => {
    redis = await startRedisServer({ persistDir: dir.path });
    if (!redis.owned) ctx.skip(); // a shared FUZZYD_TEST_REDIS_URL server cannot be killed
    const port = redis.port;
    fuzzyd = await startFuzzyd({ FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url, FUZZYD_REDIS_PREFIX: 'fz_restart' });
    const client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 2000, retries: 0 });

    const acked: Buffer[] = [];
    // Changed by the test while the writer loop reads it (a type assertion keeps TypeScript from narrowing it to 'before').
    let phase = 'before' as 'before' | 'down' | 'restarting' | 'after';
    const ackedWhileDown: Buffer[] = [];
    const ackedAfter: Buffer[] = [];
    const refusedWhileDown: number[] = [];
    const inFlight = new Set<Promise<void>>();
    let sendingStopped = false;
    const writer = (async () => {
      while (!sendingStopped) {
        const digest = randomDigest();
        const sentIn = phase;
        const p: Promise<void> = client
          .write(digest, 1, 1)
          .then((r) => {
            if (r.prob === 1 && r.value === 0) {
              acked.push(digest);
              // Between the kill and the restart no Redis runs: an acknowledgement that arrives then is a write
              // that Redis never had. (WRITEs sent then may be acknowledged once Redis is back: they were applied.)
              if (sentIn === 'down' && phase === 'down') ackedWhileDown.push(digest);
              if (sentIn === 'after') ackedAfter.push(digest);
            } else if (sentIn === 'down') refusedWhileDown.push(r.value);
          })
          .catch(() => undefined)
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= 64) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    })();

    while (acked.length < 2000) await sleep(20);
    phase = 'down';
    await redis.crash();
    await sleep(1500);
    const degraded = await health();
    phase = 'restarting';
    redis = await startRedisServer({ port, persistDir: dir.path });
    await sleep(3000);
    phase = 'after';
    const healedBy = Date.now() + 10_000;
    while (ackedAfter.length < 500 && Date.now() < healedBy) await sleep(50);
    sendingStopped = true;
    await writer;
    await client.close();

    expect(degraded).toBe('degraded');
    expect(ackedWhileDown).toEqual([]);
    // Refused at once with the protocol's server error, not left to time out.
    expect(refusedWhileDown.length).toBeGreaterThan(0);
    expect(new Set(refusedWhileDown)).toEqual(new Set([500]));
    expect(ackedAfter.length).toBeGreaterThanOrEqual(500);
    expect(await health()).toBe('ok');

    const checker = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 2000, retries: 3 });
    const missing: string[] = [];
    try {
      for (let i = 0; i < acked.length; i += 64) {
        const replies = await Promise.all(acked.slice(i, i + 64).map((d) => checker.check(d)));
        replies.forEach((r, k) => {
          if (r.prob !== 1) missing.push(acked[i + k].toString('hex'));
        });
      }
    } finally {
      await checker.close();
    }
    expect(missing).toEqual([]);
    expect(acked.length).toBeGreaterThan(2500);
  });
});
