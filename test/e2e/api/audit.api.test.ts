import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditPage } from '../../../shared/api/api-types.js';
import { randomShingles } from '../../helpers/fuzzy-data.js';
import { apiWithUdpClient, hexDigest } from './api-harness.js';

// Two UDP threads: the WRITEs below arrive on a thread and are forwarded to the main thread, as in production.
const harness = apiWithUdpClient({ FUZZYD_UDP_THREADS: '2' });

async function audit(query: string): Promise<AuditPage> {
  const r = await harness.api.request('GET', `/api/v1/audit?${query}`);
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body) as AuditPage;
}

describe('the audit trail', () => {
  it('records REST add, re-flag and delete of a hash with the token that made them, newest first', async () => {
    const digest = hexDigest();
    expect((await harness.api.request('POST', '/api/v1/hashes', { body: { digest, flag: 1, value: 10 } })).statusCode).toBe(201);
    expect((await harness.api.request('PATCH', `/api/v1/hashes/${digest}`, { body: { flag: 3 } })).statusCode).toBe(200);
    expect((await harness.api.request('DELETE', `/api/v1/hashes/${digest}`)).statusCode).toBe(204);
    const { items } = await audit(`digest=${digest}`);
    expect(items.map((i) => [i.action, i.outcome, i.flag])).toEqual([
      ['del', 'deleted', 3],
      ['set', 'reflagged', 3],
      ['write', 'added', 1],
    ]);
    for (const item of items) {
      expect(item).toMatchObject({ via: 'api', digest, source: '127.0.0.1' });
      expect(item.actor).toMatch(/^token:/);
    }
  });

  it('records UDP WRITE and DEL that went through a UDP thread, with the source address, and not a DEL of nothing', async () => {
    const digest = randomBytes(64);
    expect((await harness.udp.write(digest, 2, 7, randomShingles().toBigInts())).value).toBe(0);
    expect((await harness.udp.del(digest)).value).toBe(0);
    expect((await harness.udp.del(digest)).value).toBe(0); // not stored any more: nothing changed, nothing recorded
    const { items } = await audit(`digest=${digest.toString('hex')}`);
    expect(items.map((i) => [i.via, i.action, i.outcome, i.flag, i.value, i.actor])).toEqual([
      ['udp', 'del', 'deleted', 2, 7, '127.0.0.1'],
      ['udp', 'write', 'added', 2, 7, '127.0.0.1'],
    ]);
  });

  it('records admin changes that are not hashes (a flag, a network) and imports, and never a token secret', async () => {
    expect((await harness.api.request('PUT', '/api/v1/flags/42', { body: { name: 'audited', description: 'x' } })).statusCode).toBe(200);
    expect((await harness.api.request('POST', '/api/v1/allow-update', { body: { cidr: '192.0.2.0/24' } })).statusCode).toBe(201);
    const created = await harness.api.request('POST', '/api/v1/tokens', { body: { name: 'ci-audit', scope: 'read' } });
    expect(created.statusCode).toBe(201);
    const secret = (JSON.parse(created.body) as { token: string }).token;
    const digest = hexDigest();
    const imported = await harness.api.request('POST', '/api/v1/hashes/import', {
      payload: `${JSON.stringify({ digest, flag: 1, value: 3 })}\n`,
      contentType: 'application/x-ndjson',
    });
    expect(imported.statusCode, imported.body).toBe(200);
    const { items } = await audit('limit=20');
    const actions = items.map((i) => i.action);
    expect(actions).toContain('PUT /api/v1/flags/:flag');
    expect(actions).toContain('POST /api/v1/allow-update');
    expect(actions).toContain('POST /api/v1/tokens');
    expect(items.find((i) => i.action === 'PUT /api/v1/flags/:flag')?.detail).toContain('flag=42');
    expect(items.find((i) => i.action === 'POST /api/v1/hashes/import')?.detail).toContain('added=1');
    expect(JSON.stringify(items)).not.toContain(secret);
    // The imported hash has its own row, marked as an import.
    const history = await audit(`digest=${digest}`);
    expect(history.items).toMatchObject([{ action: 'write', outcome: 'added', detail: 'import', via: 'api' }]);
  });

  it('filters by actor (token name or source address), by time and by count', async () => {
    const digest = randomBytes(64);
    await harness.udp.write(digest, 1, 1);
    const byAddress = await audit('actor=127.0.0.1&limit=1000');
    expect(byAddress.items.length).toBeGreaterThan(0);
    expect(byAddress.items.every((i) => i.actor === '127.0.0.1' || i.source === '127.0.0.1')).toBe(true);
    expect(byAddress.items.some((i) => i.digest === digest.toString('hex'))).toBe(true);
    const byToken = await audit('actor=token:nobody');
    expect(byToken.items).toEqual([]);
    expect((await audit('since=2999-01-01T00:00:00Z')).items).toEqual([]);
    expect((await audit('since=2000-01-01')).items.length).toBeGreaterThan(0);
    expect((await audit('limit=2')).items).toHaveLength(2);
  });

  it('answers 400 naming the field for a bad digest, limit, since or an unknown parameter, and 401 without a token', async () => {
    for (const [query, field] of [
      ['digest=abc', 'digest'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['since=yesterday', 'since'],
      ['since=2026-13-45', 'since'],
      ['colour=red', 'colour'],
    ] as const) {
      const r = await harness.api.request('GET', `/api/v1/audit?${query}`);
      expect(r.statusCode, query).toBe(400);
      expect(r.body, query).toContain(field);
    }
    expect((await harness.api.request('GET', '/api/v1/audit', { token: null })).statusCode).toBe(401);
  });
});
