import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { FlagInfo, HealthResponse } from '../../../shared/api/api-types.js';
import { openFuzzyDatabase } from '../../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { ADMIN_TOKEN, apiHarnesses, hexDigest } from './api-harness.js';

const harnesses = apiHarnesses();
const start = harnesses.start;

describe('flags', () => {
  it('lists flags in use with counts plus named ones; PUT names a flag; DELETE forgets the name', async () => {
    const api = await start();
    const backend = api.runtime.backend;
    await Promise.all([1, 1, 1, 7, 7].map((flag) => backend.update({ kind: 'write', rule: 'single', digest: randomBytes(64), flag, value: 1, shingles: null })));
    let flags = JSON.parse((await api.request('GET', '/api/v1/flags')).body) as FlagInfo[];
    expect(flags.map((f) => [f.flag, f.name, f.count])).toEqual([
      [1, 'spam', 3],
      [2, 'probable spam', 0],
      [3, 'whitelist', 0],
      [7, null, 2],
    ]);
    const put = await api.request('PUT', '/api/v1/flags/7', { body: { name: 'phishing', description: 'reported by users' } });
    expect(put.statusCode).toBe(200);
    expect(JSON.parse(put.body)).toEqual({ flag: 7, name: 'phishing', description: 'reported by users', count: 2 });
    const items = JSON.parse((await api.request('GET', '/api/v1/hashes?flag=7')).body).items as { flagName: string }[];
    expect(items.every((i) => i.flagName === 'phishing')).toBe(true);
    expect((await api.request('DELETE', '/api/v1/flags/7')).statusCode).toBe(204);
    flags = JSON.parse((await api.request('GET', '/api/v1/flags')).body) as FlagInfo[];
    expect(flags.find((f) => f.flag === 7)).toMatchObject({ name: null, count: 2 });
    expect((await api.request('DELETE', '/api/v1/flags/7')).statusCode).toBe(404);
  });

  it('counts follow every write at once: a re-flag moves a hash between flags, a delete takes it away', async () => {
    const api = await start();
    const backend = api.runtime.backend;
    const [a, b] = [randomBytes(64), randomBytes(64)];
    await backend.update({ kind: 'write', rule: 'single', digest: a, flag: 5, value: 1, shingles: null });
    await backend.update({ kind: 'write', rule: 'single', digest: b, flag: 5, value: 1, shingles: null });
    const count = async (flag: number): Promise<number> =>
      (JSON.parse((await api.request('GET', '/api/v1/flags')).body) as FlagInfo[]).find((f) => f.flag === flag)?.count ?? 0;
    expect([await count(5), await count(6)]).toEqual([2, 0]);
    await backend.update({ kind: 'write', rule: 'single', digest: a, flag: 6, value: 1, shingles: null });
    expect([await count(5), await count(6)]).toEqual([1, 1]);
    await backend.update({ kind: 'del', digest: b });
    expect([await count(5), await count(6)]).toEqual([0, 1]);
  });

  it('validates the flag number and the name', async () => {
    const api = await start();
    for (const [url, body, field] of [
      ['/api/v1/flags/256', { name: 'x' }, 'flag'],
      ['/api/v1/flags/-1', { name: 'x' }, 'flag'],
      ['/api/v1/flags/abc', { name: 'x' }, 'flag'],
      ['/api/v1/flags/4', { name: '' }, 'name'],
      ['/api/v1/flags/4', { name: 'x'.repeat(65) }, 'name'],
      ['/api/v1/flags/4', { name: 'a\nb' }, 'name'],
      ['/api/v1/flags/4', { name: 'x', description: 5 }, 'description'],
    ] as const) {
      const r = await api.request('PUT', url, { body });
      expect(r.statusCode, url).toBe(400);
      expect(JSON.parse(r.body).field).toBe(field);
    }
  });
});

describe('health, docs and the database file', () => {
  it('/health reports store, SQLite and UDP readiness', async () => {
    const api = await start();
    const r = await api.request('GET', '/health', { token: null });
    expect(r.statusCode).toBe(200);
    const health = JSON.parse(r.body) as HealthResponse;
    expect(health.status).toBe('ok');
    expect(Object.keys(health.checks).sort()).toEqual(['sqlite', 'store', 'udp']);
    expect(health.checks.udp.detail).toContain(String(api.udpPort));
  });

  it('/health is 503 "degraded" when the configured Redis does not answer', async () => {
    // A port that accepts connections and never speaks Redis.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const api = await start({ FUZZYD_REDIS_URL: `redis://127.0.0.1:${port}` });
      const r = await api.request('GET', '/health', { token: null });
      expect(r.statusCode).toBe(503);
      const health = JSON.parse(r.body) as HealthResponse;
      expect(health).toMatchObject({ status: 'degraded', checks: { redis: { ok: false }, sqlite: { ok: true } } });
    } finally {
      silent.close();
    }
  });

  it('/health reports the Redis client the neural routes use: ok, degraded while Redis is down, ok once it is back', async () => {
    const redisA = await startRedisServer();
    let redisB: TestRedis | undefined;
    try {
      const api = await start({ FUZZYD_REDIS_URL: redisA.url });
      const health = async () => JSON.parse((await api.request('GET', '/health', { token: null })).body) as HealthResponse;
      expect((await health()).checks.redis).toEqual({ ok: true, detail: 'PONG' });
      // Health pinged the neural client itself, not a probe of its own.
      const observer = new Redis(redisA.url);
      const clients = String(await observer.client('LIST')).trim().split('\n');
      observer.disconnect();
      expect(clients.map((c) => / name=(\S*)/.exec(c)?.[1]).filter((n) => n)).toEqual(['fuzzyd-neural']);
      await redisA.stop();
      expect((await health()).checks.redis.ok).toBe(false);
      redisB = await startRedisServer({ port: redisA.port });
      // The same client reconnects on its own (backoff capped at 2 s): health follows it, no probe of its own.
      const deadline = Date.now() + 10_000;
      while (!(await health()).checks.redis.ok && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect((await health()).checks.redis).toEqual({ ok: true, detail: 'PONG' });
    } finally {
      await redisB?.stop();
      await redisA.stop();
    }
  });

  it('/docs serves Swagger UI and /docs-json an OpenAPI document of the admin routes with bearer auth', async () => {
    const api = await start();
    const ui = await api.request('GET', '/docs', { token: null });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
    const doc = JSON.parse((await api.request('GET', '/docs-json', { token: null })).body);
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/allow-update',
        '/api/v1/allow-update/{id}',
        '/api/v1/blocked',
        '/api/v1/blocked/{id}',
        '/api/v1/flags',
        '/api/v1/flags/{flag}',
        '/api/v1/hashes',
        '/api/v1/hashes/export',
        '/api/v1/hashes/import',
        '/api/v1/hashes/{digest}',
        '/api/v1/stats',
        '/api/v1/tokens',
        '/api/v1/tokens/{id}',
        '/health',
      ]),
    );
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/api/v1/hashes'].get.security).toEqual([{ bearer: [] }]);
    // The shared/api schemas are the components: what the routes check is what the document says.
    expect(doc.components.schemas.HashItem.required).toEqual(expect.arrayContaining(['digest', 'flag', 'value', 'time']));
    expect(doc.paths['/api/v1/hashes'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/HashCreate' });
    expect(Object.keys(doc.components.schemas.HashCreate.properties)).toEqual(['digest', 'flag', 'value', 'shingles']);
    expect(doc.components.schemas.HashCreate.additionalProperties).toBe(false);
    expect(doc.components.schemas.HashCreate.properties.digest.pattern).toBe('^[0-9a-fA-F]{128}$');
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of new Set(refs)) expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    expect(doc.paths['/api/v1/hashes'].post.responses['400'].content['application/problem+json']).toBeDefined();
  });

  it("keeps rspamd's tables as they were; fuzzyd's own objects are all named fuzzyd_*", async () => {
    const dir = tempDir();
    const path = dir.file('fuzzy.db');
    openFuzzyDatabase(path, { durability: 'normal' }).close();
    const schema = (): { type: string; name: string; sql: string | null }[] => {
      const db = new Database(path, { readonly: true });
      const rows = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all() as { type: string; name: string; sql: string | null }[];
      db.close();
      return rows;
    };
    const before = schema();
    const api = await start({ FUZZYD_DB: path });
    await api.request('PUT', '/api/v1/flags/9', { body: { name: 'nine' } });
    await api.close({ keepFiles: true });
    harnesses.release(api);
    const after = schema();
    const added = after.filter((a) => !before.some((b) => b.name === a.name));
    expect(before.every((b) => after.some((a) => a.name === b.name && a.sql === b.sql))).toBe(true);
    expect(added.map((a) => a.name).filter((n) => !n.startsWith('fuzzyd_') && !n.startsWith('sqlite_autoindex_fuzzyd_'))).toEqual(['sqlite_sequence']);
    dir.remove();
  });
});

describe('lifecycle', () => {
  it('over real HTTP: a stop during an import lets it finish, answers it, then closes the port; all of it is on disk', async () => {
    const api = await start({ FUZZYD_DURABILITY: 'full' });
    const lines = Array.from({ length: 30_000 }, () => JSON.stringify({ digest: hexDigest(), flag: 1, value: 1 })).join('\n');
    const importing = fetch(`http://127.0.0.1:${api.httpPort}/api/v1/hashes/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson' },
      body: lines,
    });
    // Stop once the import is under way (some lines committed, most not).
    while (api.runtime.backend.count() === 0) await new Promise((r) => setTimeout(r, 2));
    const stopping = api.close({ keepFiles: true });
    harnesses.release(api);
    const response = await importing;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ added: 30_000, rejected: 0 });
    await stopping;
    await expect(fetch(`http://127.0.0.1:${api.httpPort}/health`)).rejects.toThrow();
    const db = new Database(api.dbPath, { readonly: true });
    const count = (db.prepare('SELECT count(*) AS n FROM digests').get() as { n: number }).n;
    db.close();
    expect(count).toBe(30_000);
  });

  it('FUZZYD_READ_ONLY refuses REST writes with 409 and keeps reads working', async () => {
    const api = await start({ FUZZYD_READ_ONLY: 'true' });
    const r = await api.request('POST', '/api/v1/hashes', { body: { digest: hexDigest(), flag: 1, value: 1 } });
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect((await api.request('GET', '/api/v1/hashes')).statusCode).toBe(200);
  });
});
