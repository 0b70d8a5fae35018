import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagInfo, HashDetail, HashWriteResult, ImportResult, StatsResponse } from '../../../shared/api/api-types.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { type ApiHarness, hexDigest, startApi } from './api-harness.js';

let redis: TestRedis;
let api: ApiHarness;

beforeAll(async () => {
  redis = await startRedisServer();
  api = await startApi({ FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url, FUZZYD_REDIS_PREFIX: `api${Date.now()}` });
});
afterAll(async () => {
  await api?.stop();
  await redis?.stop();
});

describe('admin API on the Redis backend (admin tables stay in the SQLite file)', () => {
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
