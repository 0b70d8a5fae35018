/**
 * GET /api/v1/keys: every server key as the request handlers use it (static in order, the last the default, then
 * dynamic), with its rights, allow_update_keys membership, expiry and forbidden ids, and never a private half.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KeyInfo } from '../../../shared/api/api-types.js';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { apiHarnesses } from './api-harness.js';

const { start } = apiHarnesses();

describe('GET /api/v1/keys', () => {
  it('lists static and dynamic keys with what each may do, without their private keys', async () => {
    const [writer, listed, dyn] = [generateKeypair(), generateKeypair(), generateKeypair()];
    const dir = tempDir();
    writeFileSync(dir.file('keys.map'), `[{ privkey = "${dyn.privkey}"; pubkey = "${dyn.pubkey}"; extensions { name = "partner"; forbidden_ids = [7]; } }]`);
    writeFileSync(
      dir.file('fuzzyd.conf'),
      `keypair { privkey = "${writer.privkey}"; extensions { name = "writer"; allowed_ops = ["read", "write"]; expire = "01-01-2020"; } }\n` +
        `keypair { privkey = "${listed.privkey}"; }\n` +
        `allow_update_keys = ["${listed.id}"];\ndynamic_keys_map = "${dir.file('keys.map')}";\n`,
    );
    const api = await start({ FUZZYD_CONFIG: dir.file('fuzzyd.conf'), FUZZYD_ALLOW_UPDATE: '' });
    const res = await api.request('GET', '/api/v1/keys');
    expect(res.statusCode, res.body).toBe(200);
    const keys = res.json() as KeyInfo[];
    expect(keys).toEqual([
      {
        id: writer.id, pubkey: writer.pubkey, name: 'writer', source: 'static', default: false,
        rights: { read: true, write: true, delete: false }, allowUpdate: false,
        expireAt: new Date(2020, 0, 1).toISOString(), expired: true, forbiddenIds: null, ratelimit: null, disabled: false,
      },
      {
        id: listed.id, pubkey: listed.pubkey, name: null, source: 'static', default: true,
        rights: { read: true, write: false, delete: false }, allowUpdate: true, expireAt: null, expired: false, forbiddenIds: null, ratelimit: null, disabled: false,
      },
      {
        id: dyn.id, pubkey: dyn.pubkey, name: 'partner', source: 'dynamic', default: false,
        rights: { read: true, write: false, delete: false }, allowUpdate: false, expireAt: null, expired: false, forbiddenIds: [7], ratelimit: null, disabled: false,
      },
    ]);
    for (const kp of [writer, listed, dyn]) expect(res.body).not.toContain(kp.privkey);
    expect((await api.request('GET', '/api/v1/keys', { token: null })).statusCode).toBe(401);
    dir.remove();
  });

  it('is an empty list without keys', async () => {
    const api = await start();
    expect((await api.request('GET', '/api/v1/keys')).json()).toEqual([]);
  });
});
