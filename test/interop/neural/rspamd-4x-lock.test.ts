import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNeuralConfig } from '../../../server/src/neural/neural-config.js';
import { createNeuralRedis } from '../../../server/src/neural/redis/neural-redis.client.js';
import { NeuralRedisRepository } from '../../../server/src/neural/redis/neural-redis.repository.js';
import { decodeVector, encodeVector } from '../../../server/src/neural/training/vector-codec.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { generation } from '../../helpers/rspamd-generation.js';
import { type NeuralRspamd, rspamdNeuralAvailable, startNeuralRspamd } from '../../helpers/rspamd-neural.js';

/**
 * rspamd 4.1.5's own trainer and fuzzyd's training lock (docs/spec/neural-4x.md §2.2, §2.4, checklist 14): while
 * fuzzyd holds and refreshes the lock, 4.1.5's controller refuses to train the set ("locked by another host"); once
 * fuzzyd stops refreshing, the lock goes stale after max(10, 2·watch_interval) s and 4.1.5 takes it over and trains.
 */

const RSPAMD_4 = generation('4.1.5');
const available = rspamdNeuralAvailable(RSPAMD_4);
const LOCK_OWNER = 'fuzzyd@lock-test';
const MESSAGE = 'From: a@example.test\r\nTo: b@example.test\r\nSubject: lock\r\nMessage-ID: <lock-4x@example.test>\r\n\r\nHello there.\r\n';

function settings(cls: 'SPAM' | 'HAM', fourth: number): string {
  return `{symbols_enabled = [${[1, 2, 3, fourth].map((i) => `"${cls}_SYMBOL${i}"`).join(', ')}];}`;
}

let redis: TestRedis;
let raw: Redis;
let rspamd: NeuralRspamd;
let client: ReturnType<typeof createNeuralRedis>;
let repo: NeuralRedisRepository;

beforeAll(async () => {
  if (!available) return;
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  client = createNeuralRedis(redis.url);
  repo = new NeuralRedisRepository(client, parseNeuralConfig({ rules: { default: { watch_interval: 1 } } }));
  rspamd = await startNeuralRspamd({
    generation: RSPAMD_4,
    redis: `127.0.0.1:${redis.port}`,
    rule: [
      'train { max_trains = 4; max_iterations = 10; spam_score = 1; ham_score = -1; }',
      'watch_interval = 1;',
      'ann_expire = 86400;',
    ].join('\n'),
  });
});

afterAll(async () => {
  await rspamd?.stop();
  await client?.quit();
  await raw?.quit();
  await redis?.stop();
});

describe.skipIf(!available)("rspamd 4.1.5's trainer and fuzzyd's lock", () => {
  it('does not train while fuzzyd holds the lock, and takes a stale one over', async () => {
    // 3 + 3 rows: one short of 4.x's balanced trigger (every class at max_trains).
    for (let i = 0; i < 3; i++) {
      await rspamd.scan(MESSAGE, settings('SPAM', 4 + i));
      await rspamd.scan(MESSAGE, settings('HAM', 4 + i));
    }
    let key = '';
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const [member] = await raw.zrange('rn3_default_3_default', 0, 0);
      key = member ? (JSON.parse(member) as { redis_key: string }).redis_key : '';
      if (key && (await raw.scard(`${key}_spam_set`)) === 3 && (await raw.scard(`${key}_ham_set`)) === 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await raw.scard(`${key}_ham_set`)).toBe(3);

    // fuzzyd takes the lock and keeps it fresh; then the fourth row of each class arrives (written directly: rspamd's
    // scanners store nothing while a lock exists).
    expect(await repo.tryLock(key, { hostname: LOCK_OWNER, watchInterval: 1 })).toEqual({ acquired: true });
    const keepFresh = setInterval(() => void repo.refreshLock(key, undefined, LOCK_OWNER), 1000);
    try {
      for (const cls of ['spam', 'ham'] as const) {
        const [frame] = await raw.smembersBuffer(`${key}_${cls}_set`);
        const row = await decodeVector(frame);
        row[0] = row[0] === 0.5 ? 0.25 : 0.5; // another row, so the set grows
        await raw.sadd(`${key}_${cls}_set`, await encodeVector(row));
      }
      const refused = await rspamd.waitForLog(
        new RegExp(`do not learn ANN default:default \\(key name ${key}\\), locked by another host ${LOCK_OWNER}`),
        15_000,
        "4.1.5's controller refusing to train under fuzzyd's lock",
      );
      expect(refused).toBeTruthy();
      expect(rspamd.log()).not.toMatch(/trained ANN/);
    } finally {
      clearInterval(keepFresh);
    }

    // Left alone, the lock is stale after max(10, 2·1) s and rspamd trains from the same key.
    const trained = await rspamd.waitForLog(
      new RegExp(`trained ANN default:default, .*\\(old key ${key}\\)`),
      40_000,
      '4.1.5 training once fuzzyd stopped refreshing the lock',
    );
    expect(trained).toBeTruthy();
  }, 90_000);
});
