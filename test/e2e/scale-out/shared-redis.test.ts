/**
 * Scale-out on one Redis: three fuzzyd processes and rspamd's own fuzzy workers (3.4 on the host, 4.1.5 from the sid
 * chroot when it is built) on the same private Redis, in rspamd's layout. A write through any of them is seen by all
 * of them, exactly and through shingles, and a delete through one fuzzyd is seen by all. rspamd's workers queue their
 * writes (`sync`), so the readers are polled until they see it instead of being asked once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { type FuzzydProcess, startFuzzyd } from '../../helpers/fuzzyd-process.js';
import { nearDuplicate, randomDigest, randomShingles } from '../../helpers/fuzzy-data.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { type RspamdFuzzyWorker, startRspamdFuzzyWorker } from '../../helpers/rspamd-fuzzy-worker.js';
import { generation, unavailableReason } from '../../helpers/rspamd-generation.js';
import { until } from '../../helpers/until.js';

interface Node {
  name: string;
  client: FuzzyClient;
}

const RSPAMD = ['3.4', '4.1.5'].map(generation).filter((gen) => unavailableReason(gen) === null);
let redis: TestRedis;
const fuzzyds: FuzzydProcess[] = [];
const workers: RspamdFuzzyWorker[] = [];
const nodes: Node[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  const started = await Promise.all(
    [1, 2, 3].map(() => startFuzzyd({ FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url, FUZZYD_REDIS_PREFIX: 'fuzzy' })),
  );
  fuzzyds.push(...started);
  started.forEach((f, i) => nodes.push({ name: `fuzzyd ${i + 1}`, client: new FuzzyClient({ host: '127.0.0.1', port: f.udpPort, timeoutMs: 2000, retries: 2 }) }));
  for (const gen of RSPAMD) {
    const worker = await startRspamdFuzzyWorker({ generation: gen, backend: 'redis', redisUrl: redis.url, sync: '0.2s' });
    workers.push(worker);
    nodes.push({ name: `rspamd ${gen.version}`, client: new FuzzyClient({ host: worker.host, port: worker.port, timeoutMs: 2000, retries: 2, version: gen.multiFlag ? 0x14 : 4 }) });
  }
}, 180_000);

afterAll(async () => {
  for (const n of nodes) await n.client.close();
  await Promise.all(fuzzyds.map((f) => f.stop()));
  for (const w of workers) await w.remove();
  await redis?.stop();
});

describe('several fuzzyd and rspamd fuzzy workers on one Redis', () => {
  it(`runs ${3 + RSPAMD.length} storage nodes (rspamd: ${RSPAMD.map((g) => g.version).join(', ') || 'none here'})`, () => {
    expect(nodes.length).toBe(3 + RSPAMD.length);
    expect(RSPAMD.map((g) => g.version)).toContain('3.4'); // the host's rspamd is a test requirement (README)
  });

  it('a write through any node is seen by every node, exactly and through shingles', { timeout: 180_000 }, async () => {
    for (const [i, writer] of nodes.entries()) {
      const digest = randomDigest();
      const shingles = randomShingles();
      const flag = 10 + i;
      expect((await writer.client.write(digest, flag, 5, shingles.toBigInts())).value, `${writer.name} acknowledges`).toBe(0);
      for (const reader of nodes) {
        await until(`${reader.name} sees ${writer.name}'s write`, async () => {
          const hit = await reader.client.check(digest);
          return hit.prob === 1 && hit.flag === flag && hit.value === 5;
        });
        const near = await reader.client.check(randomDigest(), nearDuplicate(shingles, 2).toBigInts());
        expect({ reader: reader.name, writer: writer.name, match: near.prob > 0.5 && near.digest.equals(digest) }).toEqual({ reader: reader.name, writer: writer.name, match: true });
      }
    }
  });

  it("a delete through one fuzzyd is seen by every node, and every fuzzyd's STAT counts the same store", { timeout: 120_000 }, async () => {
    const digest = randomDigest();
    expect((await nodes[1].client.write(digest, 3, 1)).value).toBe(0);
    for (const reader of nodes) await until(`${reader.name} sees the write`, async () => (await reader.client.check(digest)).prob === 1);
    expect((await nodes[2].client.del(digest)).value).toBe(0);
    for (const reader of nodes) await until(`${reader.name} sees the delete`, async () => (await reader.client.check(digest)).prob === 0);
    const counts = await Promise.all(nodes.slice(0, 3).map(async (n) => (await n.client.stat()).flag));
    expect(new Set(counts).size).toBe(1);
  });
});
