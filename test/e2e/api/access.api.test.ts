import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { NetworkItem, Problem } from '../../../shared/api/api-types.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { type TestFuzzyd, apiHarnesses } from './api-harness.js';

const harnesses = apiHarnesses();
const clients: FuzzyClient[] = [];
// Runs before the harnesses' cleanup (after-each hooks run in reverse order).
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

/** 127.0.0.1 is NOT allowed to write by configuration here, so only API entries can allow it. */
async function start(env: Record<string, string> = {}): Promise<{ api: TestFuzzyd; udp: FuzzyClient }> {
  const api = await harnesses.start({ FUZZYD_ALLOW_UPDATE: '10.255.255.1/32', ...env });
  const udp = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, timeoutMs: 300, retries: 2 });
  clients.push(udp);
  return { api, udp };
}

async function add(api: TestFuzzyd, list: string, body: unknown): Promise<NetworkItem> {
  const r = await api.request('POST', `/api/v1/${list}`, { body });
  expect(r.statusCode).toBe(201);
  return JSON.parse(r.body) as NetworkItem;
}

describe('allow-update over the API, honoured by the UDP plane at once', () => {
  it('a UDP WRITE is refused (403), allowed right after POST, refused again right after DELETE', async () => {
    const { api, udp } = await start();
    const digest = randomBytes(64);
    expect((await udp.write(digest, 1, 10)).value).toBe(403);

    const entry = await add(api, 'allow-update', { cidr: '127.0.0.1/32', comment: 'CI runner' });
    expect(entry).toMatchObject({ cidr: '127.0.0.1/32', comment: 'CI runner', source: 'api', readOnly: false });
    expect((await udp.write(digest, 1, 10)).value).toBe(0);
    expect(api.runtime.backend.get(digest)).toMatchObject({ flag: 1, value: 10 });

    expect((await api.request('DELETE', `/api/v1/allow-update/${entry.id}`)).statusCode).toBe(204);
    expect((await udp.write(digest, 1, 10)).value).toBe(403);
    expect((await udp.del(digest)).value).toBe(403);
    expect(api.runtime.backend.get(digest)).toMatchObject({ value: 10 });
  });

  it('stores a CIDR as its network, so the list shows what it grants and the same network cannot be added twice', async () => {
    const { api } = await start();
    expect(await add(api, 'allow-update', { cidr: '10.0.0.5/8' })).toMatchObject({ cidr: '10.0.0.0/8' });
    const again = await api.request('POST', '/api/v1/allow-update', { body: { cidr: '10.0.0.0/8' } });
    expect(again.statusCode).toBe(409);
  });

  it('an IPv6 entry, however broad, does not let IPv4 sources write', async () => {
    const { api, udp } = await start();
    await add(api, 'allow-update', { cidr: '::/0' });
    expect((await udp.write(randomBytes(64), 1, 10)).value).toBe(403);
  });

  it('lists configuration entries read-only before API entries; they cannot be deleted', async () => {
    const { api } = await start();
    await add(api, 'allow-update', { cidr: '2001:db8::/32' });
    const list = JSON.parse((await api.request('GET', '/api/v1/allow-update')).body) as NetworkItem[];
    expect(list).toEqual([
      { id: 'config-0', cidr: '10.255.255.1/32', comment: 'from FUZZYD_ALLOW_UPDATE', source: 'config', readOnly: true, createdAt: null },
      expect.objectContaining({ cidr: '2001:db8::/32', source: 'api', readOnly: false, comment: null }),
    ]);
    const r = await api.request('DELETE', '/api/v1/allow-update/config-0');
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(api.runtime.policy.allowUpdate.map((e) => e.cidr)).toEqual(['10.255.255.1/32', '2001:db8::/32']);
  });

  it('entries persist across a restart and are merged with the configuration again', async () => {
    const { api } = await start();
    await add(api, 'allow-update', { cidr: '127.0.0.0/8' });
    await add(api, 'blocked', { cidr: '203.0.113.7' });
    await api.close({ keepFiles: true });
    harnesses.release(api);

    const { api: again, udp } = await start({ FUZZYD_DB: api.dbPath });
    expect(again.runtime.policy.allowUpdate.map((e) => e.cidr)).toEqual(['10.255.255.1/32', '127.0.0.0/8']);
    expect(again.runtime.policy.blocked.map((e) => e.cidr)).toEqual(['203.0.113.7/32']);
    expect((await udp.write(randomBytes(64), 2, 1)).value).toBe(0);
  });

  it('rejects CIDRs that do not parse (400 naming cidr), duplicates and config copies (409)', async () => {
    const { api } = await start();
    for (const cidr of ['10.0.0.0/33', 'not-an-ip', '1.2.3.4/8/1', '::g/64', '']) {
      const r = await api.request('POST', '/api/v1/allow-update', { body: { cidr } });
      expect(r.statusCode, cidr).toBe(400);
      expect((JSON.parse(r.body) as Problem).field).toBe('cidr');
    }
    expect(JSON.parse((await api.request('POST', '/api/v1/blocked', { body: { cidr: '1.2.3.4', extra: 1 } })).body)).toMatchObject({ field: 'extra' });
    await add(api, 'allow-update', { cidr: '192.0.2.1' });
    expect((await api.request('POST', '/api/v1/allow-update', { body: { cidr: '192.0.2.1/32' } })).statusCode).toBe(409);
    expect((await api.request('POST', '/api/v1/allow-update', { body: { cidr: '10.255.255.1' } })).statusCode).toBe(409);
    expect((await api.request('DELETE', '/api/v1/allow-update/12345')).statusCode).toBe(404);
    expect((await api.request('DELETE', '/api/v1/allow-update/x1')).statusCode).toBe(400);
  });
});

describe('blocked over the API', () => {
  it('datagrams from a blocked network go unanswered at once, and are answered again after DELETE', async () => {
    const { api, udp } = await start();
    expect((await udp.ping()).value).toBeDefined();
    const entry = await add(api, 'blocked', { cidr: '127.0.0.1' });
    await expect(udp.check(randomBytes(64))).rejects.toThrow();
    expect(api.runtime.stats.blocked).toBeGreaterThan(0);
    expect((await api.request('DELETE', `/api/v1/blocked/${entry.id}`)).statusCode).toBe(204);
    expect((await udp.check(randomBytes(64))).prob).toBe(0);
  });
});
