import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { AuditPage, FlagInfo, HashDetail, HashItem, HashWriteResult, ImportResult, StatsResponse } from '../../../shared/api/api-types.js';
import { RedisFuzzyKeys } from '../../../server/src/fuzzy/redis/redis-fuzzy-keys.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { type TestFuzzyd, hexDigest, startApi } from './api-harness.js';

let redis: TestRedis;
let api: TestFuzzyd;
const prefix = `api${Date.now()}`;

beforeAll(async () => {
  redis = await startRedisServer();
  api = await startApi({ FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url, FUZZYD_REDIS_PREFIX: prefix });
});
afterAll(async () => {
  await api?.close();
  await redis?.stop();
});

describe('admin API on the Redis backend (admin tables stay in the SQLite file)', () => {
  it('records REST and UDP changes in the audit trail (in the SQLite file), and explain answers 501', async () => {
    const digest = hexDigest();
    expect((await api.request('POST', '/api/v1/hashes', { body: { digest, flag: 1, value: 4 } })).statusCode).toBe(201);
    const udp = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, timeoutMs: 500 });
    try {
      expect((await udp.write(digest, 2, 3)).value).toBe(0);
      expect((await udp.del(digest)).value).toBe(0);
    } finally {
      await udp.close();
    }
    const r = await api.request('GET', `/api/v1/audit?digest=${digest}`);
    const items = (JSON.parse(r.body) as AuditPage).items;
    // A DEL's row names no flag: Redis deletes without saying what the hash held.
    expect(items.map((i) => [i.via, i.action, i.outcome, i.flag, i.actor])).toEqual([
      ['udp', 'del', 'deleted', null, '127.0.0.1'],
      ['udp', 'write', 'reflagged', 2, '127.0.0.1'],
      ['api', 'write', 'added', 1, items[2].actor],
    ]);
    expect(items[2].actor).toMatch(/^token:/);
    expect((await api.request('GET', `/api/v1/hashes/${digest}/explain`)).statusCode).toBe(501);
  });

  it('single-hash routes work and UDP sees REST changes', async () => {
    const digest = hexDigest();
    const created = await api.request('POST', '/api/v1/hashes', { body: { digest, flag: 1, value: 4 } });
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body) as HashWriteResult).toMatchObject({ status: 'added', hash: { digest, flag: 1, flagName: 'spam', value: 4 } });
    const udp = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, timeoutMs: 500 });
    try {
      expect(await udp.check(digest)).toMatchObject({ prob: 1, flag: 1, value: 4 });
    } finally {
      await udp.close();
    }
    expect((await api.request('PATCH', `/api/v1/hashes/${digest}`, { body: { value: 9 } })).statusCode).toBe(200);
    expect(JSON.parse((await api.request('GET', `/api/v1/hashes/${digest}`)).body) as HashDetail).toMatchObject({ value: 9, shingles: [] });
    expect((await api.request('DELETE', `/api/v1/hashes/${digest}`)).statusCode).toBe(204);
    expect((await api.request('GET', `/api/v1/hashes/${digest}`)).statusCode).toBe(404);
  });

  it('multi-flag hashes: POST adds slots, GET and PATCH show and replace every slot, bad flags are 400 and change nothing', async () => {
    const digest = hexDigest();
    await api.request('POST', '/api/v1/hashes', { body: { digest, flag: 1, value: 4 } });
    const second = JSON.parse((await api.request('POST', '/api/v1/hashes', { body: { digest, flag: 2, value: 9 } })).body) as HashWriteResult;
    // rspamd 4.x's rule: flag 2 took a slot and, with the highest weight, the primary one.
    expect(second).toMatchObject({ status: 'reflagged', hash: { flag: 2, flagName: 'probable spam', value: 9 } });
    expect(second.hash.flags).toEqual([
      { flag: 2, value: 9, flagName: 'probable spam' },
      { flag: 1, value: 4, flagName: 'spam' },
    ]);
    const detail = async (): Promise<HashDetail> => JSON.parse((await api.request('GET', `/api/v1/hashes/${digest}`)).body) as HashDetail;
    expect((await detail()).flags.map((f) => [f.flag, f.value])).toEqual([[2, 9], [1, 4]]);

    const patched = await api.request('PATCH', `/api/v1/hashes/${digest}`, { body: { flags: [{ flag: 1, value: 1 }, { flag: 7, value: 70 }, { flag: 3, value: 3 }] } });
    expect(patched.statusCode).toBe(200);
    expect((JSON.parse(patched.body) as HashItem).flags).toEqual([
      { flag: 1, value: 1, flagName: 'spam' },
      { flag: 7, value: 70, flagName: null },
      { flag: 3, value: 3, flagName: 'whitelist' },
    ]);
    // Stored in rspamd 4.x's fields: F/V the primary, F1../V1.. the others.
    const key = new RedisFuzzyKeys(prefix).digest(Buffer.from(digest, 'hex'));
    const raw = new Redis(redis.url);
    try {
      expect(await raw.hmgetBuffer(key, 'F', 'V', 'F1', 'V1', 'F2', 'V2', 'F3').then((v) => v.map((b) => b?.toString() ?? null))).toEqual(['1', '1', '7', '70', '3', '3', null]);
    } finally {
      await raw.quit();
    }
    const udp = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, timeoutMs: 500 });
    try {
      expect(await udp.check(digest)).toMatchObject({ prob: 1, flag: 1, value: 1 });
    } finally {
      await udp.close();
    }

    const before = await detail();
    for (const [body, field] of [
      [{ flags: [] }, 'flags'],
      [{ flags: [{ flag: 1, value: 1 }, { flag: 1, value: 2 }] }, 'flags'],
      [{ flags: [{ flag: 256, value: 1 }] }, 'flags[0].flag'],
      [{ flags: [{ flag: 1, value: 2 ** 31 }] }, 'flags[0].value'],
      [{ flags: [{ flag: 1, value: 1 }], value: 3 }, 'flags'],
    ] as const) {
      const r = await api.request('PATCH', `/api/v1/hashes/${digest}`, { body });
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ field });
    }
    expect(await detail()).toEqual(before);
  });

  it('import lines with flags set every slot on the Redis backend too', async () => {
    const digest = hexDigest();
    const lines = [JSON.stringify({ digest, flags: [{ flag: 3, value: 1 }, { flag: 4, value: 8 }] })].join('\n');
    const r = await api.request('POST', '/api/v1/hashes/import', { payload: lines, contentType: 'application/x-ndjson' });
    expect(JSON.parse(r.body) as ImportResult).toMatchObject({ added: 1, rejected: 0 });
    const detail = JSON.parse((await api.request('GET', `/api/v1/hashes/${digest}`)).body) as HashDetail;
    expect(detail.flags.map((f) => [f.flag, f.value])).toEqual([[3, 1], [4, 8]]);
  });

  it('import works; listing, prefix search and export answer 501 problem+json', async () => {
    const lines = Array.from({ length: 50 }, () => JSON.stringify({ digest: hexDigest(), flag: 2, value: 1 })).join('\n');
    const r = await api.request('POST', '/api/v1/hashes/import', { payload: lines, contentType: 'application/x-ndjson' });
    expect(JSON.parse(r.body) as ImportResult).toMatchObject({ added: 50, rejected: 0 });
    for (const url of ['/api/v1/hashes', '/api/v1/hashes?prefix=ab', '/api/v1/hashes/export']) {
      const res = await api.request('GET', url);
      expect(res.statusCode, url).toBe(501);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('flags, stats and health still answer (per-flag counts are not available)', async () => {
    const flags = JSON.parse((await api.request('GET', '/api/v1/flags')).body) as FlagInfo[];
    expect(flags.find((f) => f.flag === 1)).toMatchObject({ name: 'spam', count: 0 });
    const stats = JSON.parse((await api.request('GET', '/api/v1/stats')).body) as StatsResponse;
    expect(stats.hashes.total).toBeGreaterThanOrEqual(50);
    expect(stats.hashes.byFlag).toEqual([]);
    const health = await api.request('GET', '/health', { token: null });
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body).checks.store.detail).toMatch(/^redis/);
  });
});
