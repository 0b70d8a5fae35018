/**
 * GET/PATCH/DELETE /api/v1/access/settings: each value with where it comes from, REST over file and env, stored in
 * the admin database and applied again after a restart, refused input that changes nothing. fuzzyd in this process
 * on a real SQLite file and a real UCL configuration file.
 */
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccessSettingItem, Problem } from '../../../shared/api/api-types.js';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { type TestFuzzyd, apiHarnesses } from './api-harness.js';

const harnesses = apiHarnesses();
const dir = tempDir();
afterAll(() => dir.remove());

async function settings(api: TestFuzzyd): Promise<Record<string, AccessSettingItem>> {
  const r = await api.request('GET', '/api/v1/access/settings');
  expect(r.statusCode).toBe(200);
  return Object.fromEntries((JSON.parse(r.body) as AccessSettingItem[]).map((i) => [i.name, i]));
}

async function patch(api: TestFuzzyd, body: unknown, token?: string) {
  const r = await api.request('PATCH', '/api/v1/access/settings', { body, token });
  return { status: r.statusCode, body: JSON.parse(r.body) as AccessSettingItem[] & Problem };
}

/** A UCL file setting delay and weak_ids; the environment sets the burst. */
function start(extra: Record<string, string> = {}): Promise<TestFuzzyd> {
  const file = dir.file(`fuzzyd-${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(file, 'delay = 30s;\nweak_ids = [7];\n');
  return harnesses.start({ FUZZYD_CONFIG: file, FUZZYD_RATELIMIT_BURST: '50', ...extra });
}

describe('GET /access/settings', () => {
  it('lists every setting with its value and its source: default, env or file', async () => {
    const api = await start();
    const s = await settings(api);
    expect(Object.keys(s)).toEqual([
      'ratelimit_rate', 'ratelimit_burst', 'ratelimit_network_mask', 'ratelimit_bucket_ttl', 'ratelimit_max_buckets', 'ratelimit_whitelist',
      'ratelimit_log_only', 'ratelimit_exempt_local', 'delay', 'delay_whitelist', 'forbidden_ids', 'weak_ids', 'allow_update_keys',
    ]);
    expect(s.ratelimit_burst).toMatchObject({ value: 50, source: 'env', env: 'FUZZYD_RATELIMIT_BURST', configured: { value: 50, source: 'env' }, updatedAt: null });
    expect(s.delay).toMatchObject({ value: 30, source: 'file', kind: 'optional-duration' });
    expect(s.weak_ids).toMatchObject({ value: [7], source: 'file' });
    expect(s.ratelimit_rate).toMatchObject({ value: null, source: 'default' });
    expect(s.ratelimit_bucket_ttl).toMatchObject({ value: 3600, source: 'default' });
  });
});

describe('PATCH /access/settings', () => {
  it('sets values over REST (source rest), applies them to the running parts, and keeps the configured value to return to', async () => {
    const api = await start();
    const key = generateKeypair();
    const r = await patch(api, { ratelimit_rate: 0.5, ratelimit_burst: 3, delay: '2min', forbidden_ids: [11, 12], weak_ids: [], allow_update_keys: [key.id] });
    expect(r.status).toBe(200);
    const s = Object.fromEntries(r.body.map((i) => [i.name, i]));
    expect(s.ratelimit_burst).toMatchObject({ value: 3, source: 'rest', configured: { value: 50, source: 'env' } });
    expect(s.delay).toMatchObject({ value: 120, source: 'rest', configured: { value: 30, source: 'file' } });
    expect(s.weak_ids).toMatchObject({ value: [], source: 'rest' });
    expect(s.forbidden_ids.updatedAt).toMatch(/^\d{4}-/);
    expect(api.runtime.rateLimits.settings).toMatchObject({ rate: 0.5, burst: 3 });
    expect(api.runtime.rateLimits.networkBuckets).not.toBeNull();
    expect(api.runtime.allowUpdateKeys.has(key.id)).toBe(true);
    expect(await settings(api)).toEqual(s);
  });

  it('false turns an optional setting off, whatever file and env say', async () => {
    const api = await start();
    await patch(api, { ratelimit_rate: 1 });
    expect(api.runtime.rateLimits.networkBuckets).not.toBeNull();
    const r = await patch(api, { ratelimit_burst: false, delay: false });
    expect(r.status).toBe(200);
    expect(api.runtime.rateLimits.networkBuckets).toBeNull();
    expect((await settings(api)).delay).toMatchObject({ value: null, source: 'rest' });
  });

  it.each([
    [{ ratelimit_network_mask: 129 }, 'ratelimit_network_mask', /integer in 0..128/],
    [{ ratelimit_rate: -1 }, 'ratelimit_rate', /number ≥ 0, false \(off\) or null/],
    [{ delay: '5 fortnights' }, 'delay', /duration such as/],
    [{ delay_whitelist: ['10.0.0.0/33'] }, 'delay_whitelist', /invalid prefix length/],
    [{ ratelimit_whitelist: ['not-an-ip'] }, 'ratelimit_whitelist', /not an IP address or CIDR/],
    [{ forbidden_ids: [1, -2] }, 'forbidden_ids[1]', /integer in 0..4294967295/],
    [{ allow_update_keys: ['/etc/passwd'] }, 'allow_update_keys[0]', /key id/],
    [{ ratelimit_log_only: 'yes' }, 'ratelimit_log_only', /true or false/],
    [{ blocked: [] }, 'blocked', /unknown field/],
    [{}, 'body', /at least one setting/],
  ])('refuses %j with a 400 naming %s, and changes nothing', async (body, field, message) => {
    const api = await start();
    const before = await settings(api);
    // A valid value beside the bad one is not applied either.
    const r = await patch(api, { weak_ids: [1, 2], ...body });
    if (Object.keys(body).length === 0) {
      expect((await patch(api, body)).body).toMatchObject({ status: 400, field });
      return;
    }
    expect(r.status).toBe(400);
    expect(r.body.field).toBe(field);
    expect(r.body.detail).toMatch(message);
    expect(await settings(api)).toEqual(before);
  });

  it('needs a write token: read gets 403, none 401', async () => {
    const api = await start();
    const created = await api.request('POST', '/api/v1/tokens', { body: { name: 'reader', scope: 'read' } });
    const reader = (JSON.parse(created.body) as { token: string }).token;
    expect((await api.request('GET', '/api/v1/access/settings', { token: reader })).statusCode).toBe(200);
    expect((await patch(api, { delay: 1 }, reader)).status).toBe(403);
    expect((await api.request('PATCH', '/api/v1/access/settings', { body: { delay: 1 }, token: null })).statusCode).toBe(401);
    expect((await api.request('DELETE', '/api/v1/access/settings/delay', { token: reader })).statusCode).toBe(403);
  });
});

describe('returning to the configuration', () => {
  it('DELETE /access/settings/:name and PATCH null both bring back the file/env value; an unknown name is 404', async () => {
    const api = await start();
    await patch(api, { delay: 5, ratelimit_burst: 9 });
    const deleted = await api.request('DELETE', '/api/v1/access/settings/delay');
    expect(deleted.statusCode).toBe(200);
    expect(JSON.parse(deleted.body)).toMatchObject({ name: 'delay', value: 30, source: 'file', updatedAt: null });
    expect((await patch(api, { ratelimit_burst: null })).body.find((i) => i.name === 'ratelimit_burst')).toMatchObject({ value: 50, source: 'env' });
    expect(api.runtime.rateLimits.settings.burst).toBeNull(); // env sets the burst only: no network limit
    expect((await api.request('DELETE', '/api/v1/access/settings/blocked')).statusCode).toBe(404);
  });
});

describe('across a restart', () => {
  it('stored REST values come back over file and env; removed ones do not', async () => {
    const api = await start();
    await patch(api, { ratelimit_burst: 4, ratelimit_rate: 0, forbidden_ids: [5], delay: 10 });
    await patch(api, { delay: null });
    await api.close({ keepFiles: true });
    harnesses.release(api);

    const again = await start({ FUZZYD_DB: api.dbPath, FUZZYD_RATELIMIT_BURST: '80' });
    const s = await settings(again);
    expect(s.ratelimit_burst).toMatchObject({ value: 4, source: 'rest', configured: { value: 80, source: 'env' } });
    expect(s.forbidden_ids).toMatchObject({ value: [5], source: 'rest' });
    expect(s.delay).toMatchObject({ value: 30, source: 'file' });
    expect(again.runtime.rateLimits.settings).toMatchObject({ rate: 0, burst: 4 });
  });

  it('a stored row this fuzzyd cannot use is logged and left out: the configuration applies', async () => {
    const api = await start();
    await patch(api, { forbidden_ids: [5] });
    await api.close({ keepFiles: true });
    harnesses.release(api);
    const db = new Database(api.dbPath);
    db.prepare('INSERT INTO fuzzyd_access_settings (name, value, updated_at) VALUES (?, ?, 0), (?, ?, 0)').run('delay', '"5 fortnights"', 'ratelimit_color', '1');
    db.close();

    const again = await start({ FUZZYD_DB: api.dbPath });
    const s = await settings(again);
    expect(s.delay).toMatchObject({ value: 30, source: 'file' });
    expect(s.forbidden_ids).toMatchObject({ value: [5], source: 'rest' });
    const skipped = again.logs.filter((l) => l.includes('ignoring a stored access setting')).map((l) => JSON.parse(l).setting);
    expect(skipped.sort()).toEqual(['delay', 'ratelimit_color']);
  });
});
