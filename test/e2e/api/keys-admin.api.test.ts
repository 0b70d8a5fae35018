/**
 * POST / PATCH / DELETE /api/v1/keys (docs/spec/access-controls.md §2.3): keys made over the API, served at once by
 * every UDP thread, kept in a 0600 file across restarts, their private half answered once and never again; disabling
 * any key (static ones included) refuses its CHECKs as an expired key's and its writes; bad input is 400 naming the
 * field, an unknown id 404, a static key's options 409, and nothing changes without the admin token.
 */
import { statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KeyCreated, KeyInfo, Problem } from '../../../shared/api/api-types.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { adminKeyFilePath } from '../../../server/src/keys/admin-key-file.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { apiHarnesses, type TestFuzzyd } from './api-harness.js';

const harnesses = apiHarnesses();

async function create(api: TestFuzzyd, body: unknown): Promise<KeyCreated> {
  const res = await api.request('POST', '/api/v1/keys', { body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as KeyCreated;
}

const list = async (api: TestFuzzyd): Promise<KeyInfo[]> => (await api.request('GET', '/api/v1/keys')).json() as KeyInfo[];

async function withClient<T>(api: TestFuzzyd, pubkey: string, version: number | undefined, use: (c: FuzzyClient) => Promise<T>): Promise<T> {
  const c = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, encryptionKey: pubkey, timeoutMs: 1000, retries: 2, version });
  try {
    return await use(c);
  } finally {
    await c.close();
  }
}

describe('keys made over the API', () => {
  it('create → listed without the private key → restart → still served → disable → enable → delete', async () => {
    // Two UDP threads: they answer CHECKs themselves, so each must get every change without a restart.
    const env = { FUZZYD_ALLOW_UPDATE: '', FUZZYD_UDP_THREADS: '2' };
    const api = await harnesses.start(env);
    const created = await create(api, { name: 'partner A', allowedOps: ['read', 'write'], forbiddenIds: [9], ratelimit: '1000 / 1h', expire: '2099-12-31' });
    const { key, privkey } = created;
    expect(privkey).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/);
    expect(key).toEqual({
      id: expect.stringMatching(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{103}$/),
      pubkey: expect.stringMatching(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{52}$/),
      name: 'partner A', source: 'admin', default: false, rights: { read: true, write: true, delete: false }, allowUpdate: false,
      expireAt: new Date(2099, 11, 31).toISOString(), expired: false, forbiddenIds: [9], ratelimit: { burst: 1000, rate: 1000 / 3600 }, disabled: false,
    });
    expect(created.rspamdRule).toContain(`encryption_key = "${key.pubkey}";`);
    expect(created.rspamdRule).toContain(`servers = "127.0.0.1:${api.udpPort}";`);
    expect(created.rspamdRule).toContain('read_only = false;');

    const listed = await api.request('GET', '/api/v1/keys');
    expect(listed.json()).toEqual([key]);
    expect(listed.body).not.toContain(privkey!);
    const file = adminKeyFilePath(api.dbPath);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(api.logs.join('\n')).not.toContain(privkey!);

    const digest = randomDigest();
    await withClient(api, key.pubkey, undefined, async (c) => {
      expect(await c.write(digest, 1, 11)).toMatchObject({ value: 0, prob: 1 });
      expect(await c.check(digest)).toMatchObject({ value: 11, prob: 1 });
    });

    await api.close({ keepFiles: true });
    harnesses.release(api);
    const again = await harnesses.start({ ...env, FUZZYD_DB: api.dbPath });
    expect(await list(again)).toEqual([key]);
    const afterRestart = await again.request('GET', '/api/v1/keys');
    expect(afterRestart.body).not.toContain(privkey!);
    await withClient(again, key.pubkey, undefined, async (c) => expect(await c.check(digest)).toMatchObject({ value: 11, prob: 1 }));

    const disabled = await again.request('PATCH', `/api/v1/keys/${key.id}`, { body: { disabled: true } });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toMatchObject({ id: key.id, disabled: true });
    // Refused as an expired key is: 403 to a 3.x client, 503 to a 4.x client (FUZZYD_REPLY_CODES=auto); writes too.
    await withClient(again, key.pubkey, undefined, async (c) => {
      for (let i = 0; i < 4; i++) expect(await c.check(digest)).toMatchObject({ value: 403, prob: 0 });
      expect(await c.write(randomDigest(), 1, 1)).toMatchObject({ value: 403, prob: 0 });
    });
    await withClient(again, key.pubkey, 5, async (c) => expect(await c.check(digest)).toMatchObject({ value: 503, prob: 0 }));
    expect(again.logs.some((l) => l.includes('refused CHECK: key is disabled'))).toBe(true);

    const enabled = await again.request('PATCH', `/api/v1/keys/${key.id}`, { body: { disabled: false, name: 'partner B', allowedOps: ['read'] } });
    expect(enabled.json()).toMatchObject({ name: 'partner B', disabled: false, rights: { read: true, write: false, delete: false }, forbiddenIds: [9] });
    await withClient(again, key.pubkey, undefined, async (c) => {
      for (let i = 0; i < 4; i++) expect(await c.check(digest)).toMatchObject({ value: 11, prob: 1 });
      expect((await c.write(randomDigest(), 1, 1)).value).toBe(403);
    });
    const cleared = await again.request('PATCH', `/api/v1/keys/${key.id}`, { body: { expire: null, forbiddenIds: null, ratelimit: null } });
    expect(cleared.json()).toMatchObject({ expireAt: null, forbiddenIds: null, ratelimit: null });

    expect((await again.request('DELETE', `/api/v1/keys/${key.id}`)).statusCode).toBe(204);
    expect(await list(again)).toEqual([]);
    // Gone from every thread: nothing decrypts it any more (no static key to fall back on), so no answer comes.
    await withClient(again, key.pubkey, undefined, async (c) => expect(c.check(digest)).rejects.toThrow());
    expect((await again.request('DELETE', `/api/v1/keys/${key.id}`)).statusCode).toBe(404);
  }, 60_000);

  it('takes an admin-supplied keypair and never answers its private half', async () => {
    const api = await harnesses.start();
    const kp = generateKeypair();
    const created = await create(api, { name: 'imported', keypair: { privkey: kp.privkey, pubkey: kp.pubkey } });
    expect(created.privkey).toBeNull();
    expect(created.key).toMatchObject({ id: kp.id, pubkey: kp.pubkey, rights: { read: true, write: false, delete: false } });
    expect(created.rspamdRule).toContain('read_only = true;');
    expect(JSON.stringify(created)).not.toContain(kp.privkey);
    // The same key again: its wire id is taken.
    const twice = await api.request('POST', '/api/v1/keys', { body: { name: 'again', keypair: { privkey: kp.privkey } } });
    expect(twice.statusCode).toBe(409);
    expect((twice.json() as Problem).field).toBe('keypair');
  });

  it('disables a static key without touching the configuration, and keeps its options the file\'s (409)', async () => {
    const dir = tempDir();
    const kp = generateKeypair();
    writeFileSync(dir.file('fuzzyd.conf'), `keypair { privkey = "${kp.privkey}"; extensions { name = "static"; } }\n`);
    const api = await harnesses.start({ FUZZYD_CONFIG: dir.file('fuzzyd.conf') });
    const digest = randomDigest();
    await api.request('POST', '/api/v1/hashes', { body: { digest: digest.toString('hex'), flag: 1, value: 5 } });
    await withClient(api, kp.pubkey, undefined, async (c) => expect(await c.check(digest)).toMatchObject({ value: 5, prob: 1 }));

    const renamed = await api.request('PATCH', `/api/v1/keys/${kp.id}`, { body: { name: 'renamed', disabled: true } });
    expect(renamed.statusCode).toBe(409);
    expect((renamed.json() as Problem).detail).toMatch(/comes from the configuration: its options are set in its file; only disabled/);
    expect((await list(api))[0]).toMatchObject({ name: 'static', disabled: false });
    expect((await api.request('DELETE', `/api/v1/keys/${kp.id}`)).statusCode).toBe(409);

    const res = await api.request('PATCH', `/api/v1/keys/${kp.id}`, { body: { disabled: true } });
    expect(res.json()).toMatchObject({ source: 'static', default: true, disabled: true });
    await withClient(api, kp.pubkey, undefined, async (c) => expect(await c.check(digest)).toMatchObject({ value: 403, prob: 0 }));
    await api.close({ keepFiles: true });
    harnesses.release(api);
    // Still disabled after a restart, and enabled again by id.
    const again = await harnesses.start({ FUZZYD_CONFIG: dir.file('fuzzyd.conf'), FUZZYD_DB: api.dbPath });
    expect((await list(again))[0]).toMatchObject({ source: 'static', disabled: true });
    await withClient(again, kp.pubkey, undefined, async (c) => expect((await c.check(digest)).value).toBe(403));
    await again.request('PATCH', `/api/v1/keys/${kp.id}`, { body: { disabled: false } });
    await withClient(again, kp.pubkey, undefined, async (c) => expect(await c.check(digest)).toMatchObject({ value: 5, prob: 1 }));
    dir.remove();
  }, 60_000);

  it('refuses bad input with 400 naming the field, and changes nothing', async () => {
    const api = await harnesses.start();
    const bad: [unknown, string][] = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', allowedOps: ['read', 'admin'] }, 'allowedOps[1]'],
      [{ name: 'x', allowedOps: ['read', 'read'] }, 'allowedOps'],
      [{ name: 'x', expire: '31-12-2026' }, 'expire'],
      [{ name: 'x', expire: '2026-02-31' }, 'expire'],
      [{ name: 'x', forbiddenIds: [-1] }, 'forbiddenIds[0]'],
      [{ name: 'x', ratelimit: 'fast' }, 'ratelimit'],
      [{ name: 'x', keypair: { privkey: 'not a key' } }, 'keypair'],
      [{ name: 'x', keypair: { privkey: generateKeypair().privkey, pubkey: generateKeypair().pubkey } }, 'keypair'],
      [{ name: 'x', privkey: 'smuggled' }, 'privkey'],
    ];
    for (const [body, field] of bad) {
      const res = await api.request('POST', '/api/v1/keys', { body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect((res.json() as Problem).field, JSON.stringify(body)).toBe(field);
    }
    const notAKey = (bad[8][0] as { keypair: { privkey: string } }).keypair.privkey;
    expect(api.logs.join('\n')).not.toContain(notAKey);
    expect(await list(api)).toEqual([]);

    const { key } = await create(api, { name: 'kept' });
    const empty = await api.request('PATCH', `/api/v1/keys/${key.id}`, { body: {} });
    expect(empty.statusCode).toBe(400);
    const badExpire = await api.request('PATCH', `/api/v1/keys/${key.id}`, { body: { expire: '2026-13-01' } });
    expect((badExpire.json() as Problem).field).toBe('expire');
    expect((await api.request('PATCH', '/api/v1/keys/nope', { body: { disabled: true } })).json()).toMatchObject({ status: 400, field: 'id' });
    expect(await list(api)).toEqual([key]);
  });

  it('answers 404 for an id no source has', async () => {
    const api = await harnesses.start();
    const unknown = generateKeypair().id;
    expect((await api.request('PATCH', `/api/v1/keys/${unknown}`, { body: { disabled: true } })).statusCode).toBe(404);
    expect((await api.request('PATCH', `/api/v1/keys/${unknown}`, { body: { name: 'x' } })).statusCode).toBe(404);
    expect((await api.request('DELETE', `/api/v1/keys/${unknown}`)).statusCode).toBe(404);
  });

  it('needs the admin token for every change (401 without one, 403 with a read token)', async () => {
    const api = await harnesses.start();
    const { key } = await create(api, { name: 'guarded' });
    const reader = (await api.request('POST', '/api/v1/tokens', { body: { name: 'reader', scope: 'read' } })).json() as { token: string };
    for (const [token, status] of [[null, 401], [reader.token, 403]] as const) {
      expect((await api.request('POST', '/api/v1/keys', { token, body: { name: 'x' } })).statusCode).toBe(status);
      expect((await api.request('PATCH', `/api/v1/keys/${key.id}`, { token, body: { disabled: true } })).statusCode).toBe(status);
      expect((await api.request('DELETE', `/api/v1/keys/${key.id}`, { token })).statusCode).toBe(status);
    }
    expect((await api.request('GET', '/api/v1/keys', { token: reader.token })).statusCode).toBe(200);
    expect(await list(api)).toEqual([key]);
  });

  it('a keys file that does not load stops the start, naming the file and never a key', async () => {
    const dir = tempDir();
    const dbPath = dir.file('fuzzy.db');
    const kp = generateKeypair();
    const file = adminKeyFilePath(dbPath);
    writeFileSync(file, JSON.stringify({ format: 'fuzzyd admin keys', version: 1, keys: [{ privkey: kp.privkey, pubkey: generateKeypair().pubkey, extensions: {} }], disabled: [] }), { mode: 0o600 });
    const failed = await harnesses.start({ FUZZYD_DB: dbPath }).then(() => null, (err: unknown) => err as Error);
    expect(failed?.message).toBe(`the admin keys file '${file}' keys[0]: privkey/pubkey are not a valid curve25519 keypair`);
    writeFileSync(file, '{"format": "fuzzyd admin keys", ');
    const broken = await harnesses.start({ FUZZYD_DB: dbPath }).then(() => null, (err: unknown) => err as Error);
    expect(broken?.message).toBe(`the admin keys file '${file}' is not valid JSON`);
    dir.remove();
  });
});
