import { afterEach, describe, expect, it } from 'vitest';
import { parseNeuralConfig } from '../../../server/src/neural/neural-config.js';
import { reconnectDelay } from '../../../server/src/common/redis-client.js';
import { createNeuralRedis } from '../../../server/src/neural/redis/neural-redis.client.js';
import { NeuralRedisRepository } from '../../../server/src/neural/redis/neural-redis.repository.js';
import { RedisUnavailableError, redactRedisUrl } from '../../../server/src/neural/redis/redis-unavailable.error.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { freeTcpPort } from '../../helpers/ports.js';

const config = parseNeuralConfig({ prefix: `down${process.pid}` });
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!().catch(() => undefined);
});

async function until<T>(what: string, fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${what} did not succeed within ${timeoutMs} ms: ${(last as Error)?.message}`);
}

describe('Redis unavailable', () => {
  it('rejects quickly with RedisUnavailableError naming the address when nothing listens', async () => {
    const port = await freeTcpPort();
    const client = createNeuralRedis(`redis://127.0.0.1:${port}`);
    cleanups.push(async () => client.disconnect());
    const repo = new NeuralRedisRepository(client, config);

    for (const call of [() => repo.discoverSets(), () => repo.vectorCounts('k'), () => repo.tryLock('k')]) {
      const started = Date.now();
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RedisUnavailableError);
      expect((err as Error).message).toBe(`Redis at redis://127.0.0.1:${port}/0 is not reachable`);
      expect(Date.now() - started).toBeLessThan(1000);
    }
  });

  it('fails while the server is down and heals by itself when it returns on the same port', async (ctx) => {
    const first: TestRedis = await startRedisServer();
    if (!first.owned) ctx.skip(); // cannot stop a shared FUZZYD_TEST_REDIS_URL server
    cleanups.push(() => first.stop());
    const client = createNeuralRedis(first.url, { maxReconnectDelayMs: 300 });
    cleanups.push(async () => client.disconnect());
    const repo = new NeuralRedisRepository(client, config);
    const key = `${config.prefix}_default_default_abcdefgh_0`;

    await repo.pushVector(key, 'spam', Buffer.from('v1'));
    expect((await repo.vectorCounts(key)).spam).toBe(1);

    await first.stop();
    await until('noticing the outage', async () => {
      const err = await repo.vectorCounts(key).then(
        () => null,
        (e: unknown) => e,
      );
      if (!(err instanceof RedisUnavailableError)) throw new Error(`expected RedisUnavailableError, got ${String(err)}`);
    }, 5000);

    const second = await startRedisServer({ port: first.port });
    cleanups.push(() => second.stop());
    // Data did not survive (no persistence), but the same client works again without being recreated.
    const counts = await until('reconnecting', () => repo.vectorCounts(key), 10_000);
    expect(counts).toMatchObject({ spam: 0, ham: 0, layout: 'none' });
    expect(client.status).toBe('ready');
  });

  it('backs off exponentially up to the cap and hides credentials in addresses', () => {
    expect([1, 2, 3, 4, 5, 10, 50].map((a) => reconnectDelay(a, 2000))).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect(redactRedisUrl('redis://user:secret@host:6380/2')).toBe('redis://***:***@host:6380/2');
    expect(redactRedisUrl('redis://:secret@host:6380')).toBe('redis://:***@host:6380');
    expect(redactRedisUrl('redis://host:6380')).toBe('redis://host:6380');
  });
});
