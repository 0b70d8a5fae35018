import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../server/src/common/redis-client.js';
import { EncodedCommand, EncodedScript, encodeCommand, RedisTurnBatch } from '../../server/src/common/redis-turn-batch.js';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let client: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  client = createRedisClient(redis.url, { name: 'turn-batch-test', autoPipelining: true });
  await client.connect();
});
afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

const encoded = (name: string, args: (string | Buffer)[], reply: 'utf8' | null = 'utf8'): EncodedCommand =>
  new EncodedCommand(name, encodeCommand([name.toUpperCase(), ...args]), reply);

// The commands fuzzyd encodes itself (docs/spec/redis.md §5) against a real Redis: bytes, reply order, failures.
describe('RedisTurnBatch and encodeCommand', () => {
  it('writes binary keys byte for byte and non-ASCII strings as UTF-8, as ioredis does', async () => {
    const batch = RedisTurnBatch.of(client);
    const key = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80, 0x24]);
    await Promise.all([batch.send(encoded('set', [key, 'ünï ☃'])), batch.send(encoded('set', ['k-ü', Buffer.from([0xc3, 0x28])]))]);
    expect(await client.get(key)).toBe('ünï ☃');
    expect(await client.getBuffer('k-ü')).toEqual(Buffer.from([0xc3, 0x28]));
  });

  it('matches every reply to its command when one turn mixes encoded commands and ioredis commands', async () => {
    const batch = RedisTurnBatch.of(client);
    await client.mset('a', '1', 'b', '2', 'c', '3');
    const replies = await Promise.all([
      batch.send(encoded('get', ['a'])),
      client.get('b'),
      batch.send(encoded('mget', ['c', 'a', 'missing'])),
      client.incr('counter'),
      batch.send(encoded('get', ['b'])),
    ]);
    expect(replies).toEqual(['1', '2', ['3', '1', null], 1, '2']);
  });

  it('runs a script the server does not have (NOSCRIPT) by sending it once with EVAL', async () => {
    const script = new EncodedScript("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    const batch = RedisTurnBatch.of(client);
    await client.script('FLUSH');
    expect(await script.run(batch, ['n'], ['5'])).toBe(5);
    expect(await script.run(batch, ['n'], ['2'])).toBe(7); // now by EVALSHA
    await client.script('FLUSH');
    expect(await script.run(batch, ['n'], ['1'])).toBe(8);
  });

  it('fails a command at once while no Redis answers (it is not queued)', async () => {
    // Port 1: nothing listens. Reconnecting after a failure is the client's policy, tested in test/faults/redis-*.
    const offline = createRedisClient('redis://127.0.0.1:1', { name: 'turn-batch-offline', autoPipelining: true });
    try {
      await expect(RedisTurnBatch.of(offline).send(encoded('get', ['a']))).rejects.toThrow(/isn't writeable/);
    } finally {
      offline.disconnect();
    }
  });

  it('a command resent after a reconnect goes out in the order ioredis resends it, not held for the next turn', async () => {
    const flaky = createRedisClient(redis.url, { name: 'turn-batch-resend', autoPipelining: true });
    flaky.on('error', () => undefined);
    await flaky.connect();
    try {
      redis.pause();
      const unanswered = RedisTurnBatch.of(flaky).send(encoded('get', ['a']));
      await new Promise((r) => setImmediate(r)); // flushed, no reply: Redis is stopped
      (flaky as unknown as { stream: { destroy(): void } }).stream.destroy();
      const ready = new Promise((r) => flaky.once('ready', r));
      redis.resume();
      await ready;
      // ioredis resent the GET on 'ready'; a command of its own written now must not overtake it.
      const [resent, own] = await Promise.all([unanswered, flaky.incr('resend-counter')]);
      expect(resent).toBe('1');
      expect(own).toBe(1);
    } finally {
      redis.resume();
      flaky.disconnect();
    }
  });

  it('a non-ASCII prefix names the same keys in CHECK as in WRITE', async () => {
    const store = await RedisBackend.open({ address: redis.url, prefix: 'fü', expireSeconds: 3600 });
    try {
      const digest = randomDigest();
      const shingles = randomShingles();
      await store.update({ kind: 'write', rule: 'single', digest, flag: 3, value: 9, shingles });
      expect(await store.check(digest, null)).toMatchObject({ prob: 1, flag: 3, value: 9 });
      // Another digest with the same shingles: found through the 32 slot keys alone.
      expect(await store.check(randomDigest(), shingles)).toMatchObject({ prob: 1, flag: 3, value: 9, digest });
    } finally {
      await store.close();
    }
  });
});
