import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Problem, TokenCreated, TokenItem } from '../../../shared/api/api-types.js';
import { ADMIN_TOKEN, type TestFuzzyd, apiHarnesses, hexDigest } from './api-harness.js';

const harnesses = apiHarnesses();
const start = harnesses.start;
// Runs before the harnesses' cleanup (after-each hooks run in reverse order).
afterEach(() => {
  vi.restoreAllMocks();
});

async function createToken(api: TestFuzzyd, scope: string, token = ADMIN_TOKEN): Promise<TokenCreated> {
  const r = await api.request('POST', '/api/v1/tokens', { token, body: { name: `${scope} token`, scope } });
  expect(r.statusCode).toBe(201);
  return JSON.parse(r.body) as TokenCreated;
}

/** One request per API route with a valid body, so only authorization can fail it. */
function routes(digest: string): [string, string, unknown?][] {
  return [
    ['GET', '/api/v1/hashes'],
    ['GET', `/api/v1/hashes/${digest}`],
    ['GET', '/api/v1/hashes/export'],
    ['GET', '/api/v1/flags'],
    ['GET', '/api/v1/stats'],
    ['GET', '/api/v1/allow-update'],
    ['GET', '/api/v1/blocked'],
    ['GET', '/api/v1/tokens'],
    ['GET', '/api/v1/access/settings'],
    ['PATCH', '/api/v1/access/settings', { ratelimit_log_only: false }],
    ['DELETE', '/api/v1/access/settings/ratelimit_log_only'],
    ['POST', '/api/v1/hashes', { digest, flag: 1, value: 1 }],
    ['PATCH', `/api/v1/hashes/${digest}`, { value: 2 }],
    ['DELETE', `/api/v1/hashes/${digest}`],
    ['PUT', '/api/v1/flags/9', { name: 'nine' }],
    ['DELETE', '/api/v1/flags/9'],
    ['POST', '/api/v1/allow-update', { cidr: '192.0.2.0/24' }],
    ['DELETE', '/api/v1/allow-update/999'],
    ['POST', '/api/v1/blocked', { cidr: '198.51.100.0/24' }],
    ['DELETE', '/api/v1/blocked/999'],
    ['POST', '/api/v1/tokens', { name: 'x', scope: 'read' }],
    ['DELETE', '/api/v1/tokens/999'],
  ];
}

const NEEDS: Record<string, 'read' | 'write' | 'admin'> = {
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/allow-update': 'admin',
  'DELETE /api/v1/allow-update/999': 'admin',
  'POST /api/v1/blocked': 'admin',
  'DELETE /api/v1/blocked/999': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/999': 'admin',
};
function needs(method: string, url: string): 'read' | 'write' | 'admin' {
  const key = `${method} ${url}`;
  return NEEDS[key] ?? (method === 'GET' ? 'read' : 'write');
}

describe('bearer tokens on every /api route', () => {
  it('no token or a wrong one → 401 problem with WWW-Authenticate; outside /api needs none', async () => {
    const api = await start();
    for (const [method, url, body] of routes(hexDigest())) {
      for (const token of [null, 'fzd_wrong', `${ADMIN_TOKEN}x`]) {
        const r = await api.request(method, url, { token, body });
        expect(r.statusCode, `${method} ${url} with ${token}`).toBe(401);
        expect(r.headers['content-type']).toContain('application/problem+json');
        expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }
    for (const url of ['/health', '/metrics', '/docs-json']) expect((await api.request('GET', url, { token: null })).statusCode).toBe(200);
    const basic = await api.request('GET', '/api/v1/hashes', { token: null, headers: { authorization: `Basic ${ADMIN_TOKEN}` } });
    expect(basic.statusCode).toBe(401);
  });

  it('scopes nest read ⊂ write ⊂ admin: a narrower token gets 403 on every route above it', async () => {
    const api = await start();
    const tokens = { read: (await createToken(api, 'read')).token, write: (await createToken(api, 'write')).token };
    const rank = { read: 0, write: 1, admin: 2 };
    for (const [scope, token] of Object.entries(tokens) as ['read' | 'write', string][]) {
      for (const [method, url, body] of routes(hexDigest())) {
        const r = await api.request(method, url, { token, body });
        if (rank[needs(method, url)] > rank[scope]) {
          expect(r.statusCode, `${scope} on ${method} ${url}`).toBe(403);
          expect((JSON.parse(r.body) as Problem).detail).toContain(`'${needs(method, url)}'`);
        } else {
          expect([200, 201, 204, 404], `${scope} on ${method} ${url}`).toContain(r.statusCode);
        }
      }
    }
  });

  it('a read-only token cannot write a hash, and the store is unchanged', async () => {
    const api = await start();
    const { token } = await createToken(api, 'read');
    const digest = hexDigest();
    const r = await api.request('POST', '/api/v1/hashes', { token, body: { digest, flag: 1, value: 1 } });
    expect(r.statusCode).toBe(403);
    expect(api.runtime.backend.get(Buffer.from(digest, 'hex'))).toBeNull();
    expect((await api.request('GET', '/api/v1/hashes', { token })).statusCode).toBe(200);
  });
});

describe('/api/v1/tokens', () => {
  it('creates tokens shown once, lists them without secrets, deletes them (then they stop working)', async () => {
    const api = await start();
    const created = await createToken(api, 'write');
    expect(created.token).toMatch(/^fzd_[A-Za-z0-9_-]{43}$/);
    expect(created).toMatchObject({ scope: 'write', origin: 'api', hint: `${created.token.slice(0, 8)}…` });
    const list = JSON.parse((await api.request('GET', '/api/v1/tokens')).body) as TokenItem[];
    expect(list.map((t) => t.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain(created.token);
    expect(list.find((t) => t.origin === 'env')).toMatchObject({ scope: 'admin', name: 'FUZZYD_ADMIN_TOKEN' });
    expect((await api.request('GET', '/api/v1/hashes', { token: created.token })).statusCode).toBe(200);
    expect((await api.request('DELETE', `/api/v1/tokens/${created.id}`)).statusCode).toBe(204);
    expect((await api.request('GET', '/api/v1/hashes', { token: created.token })).statusCode).toBe(401);
    expect((await api.request('DELETE', `/api/v1/tokens/${created.id}`)).statusCode).toBe(404);
  });

  it('validates name and scope, and refuses to delete the last admin token', async () => {
    const api = await start();
    const bad = await api.request('POST', '/api/v1/tokens', { body: { name: 'x', scope: 'root' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ field: 'scope' });
    expect(JSON.parse((await api.request('POST', '/api/v1/tokens', { body: { scope: 'read' } })).body)).toMatchObject({ field: 'name' });
    expect((await api.request('DELETE', '/api/v1/tokens/abc')).statusCode).toBe(400);
    const list = JSON.parse((await api.request('GET', '/api/v1/tokens')).body) as TokenItem[];
    expect((await api.request('DELETE', `/api/v1/tokens/${list[0].id}`)).statusCode).toBe(409);
  });

  it('tokens are stored hashed, survive a restart, and never appear in the logs', async () => {
    const api = await start();
    const created = await createToken(api, 'read');
    await api.request('GET', '/api/v1/hashes', { token: created.token });
    await api.request('GET', '/api/v1/hashes', { token: 'fzd_wrong-token-value' });
    const logs = api.logs.join('');
    expect(logs).toContain('"url":"/api/v1/hashes"');
    for (const secret of [created.token, ADMIN_TOKEN, 'fzd_wrong-token-value']) expect(logs).not.toContain(secret);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(api.dbPath, { readonly: true });
    const rows = db.prepare('SELECT token_hash FROM fuzzyd_tokens').all() as { token_hash: string }[];
    db.close();
    expect(rows.some((r) => r.token_hash.length === 64)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(created.token);

    await api.close({ keepFiles: true });
    harnesses.release(api);
    const again = await start({ FUZZYD_DB: api.dbPath });
    expect((await again.request('GET', '/api/v1/hashes', { token: created.token })).statusCode).toBe(200);
  });

  it('without FUZZYD_ADMIN_TOKEN the first start generates an admin token and prints it once', async () => {
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      printed.push(String(chunk));
      return write(chunk, ...(rest as []));
    });
    const first = await start({ FUZZYD_ADMIN_TOKEN: undefined });
    const token = /fzd_[A-Za-z0-9_-]{43}/.exec(printed.join(''))?.[0];
    expect(token).toBeDefined();
    expect(first.logs.join('')).not.toContain(token!);
    const list = JSON.parse((await first.request('GET', '/api/v1/tokens', { token })).body) as TokenItem[];
    expect(list).toEqual([expect.objectContaining({ origin: 'generated', scope: 'admin' })]);

    await first.close({ keepFiles: true });
    harnesses.release(first);
    printed.length = 0;
    const second = await start({ FUZZYD_ADMIN_TOKEN: undefined, FUZZYD_DB: first.dbPath });
    expect(printed.join('')).not.toMatch(/fzd_/);
    expect((await second.request('GET', '/api/v1/tokens', { token })).statusCode).toBe(200);
  });

  it('changing FUZZYD_ADMIN_TOKEN rotates it: the previous value stops working', async () => {
    const first = await start();
    await first.close({ keepFiles: true });
    harnesses.release(first);
    const rotated = await start({ FUZZYD_DB: first.dbPath, FUZZYD_ADMIN_TOKEN: 'rotated-admin-token-0123456789' });
    expect((await rotated.request('GET', '/api/v1/tokens')).statusCode).toBe(401);
    expect((await rotated.request('GET', '/api/v1/tokens', { token: 'rotated-admin-token-0123456789' })).statusCode).toBe(200);
  });
});
