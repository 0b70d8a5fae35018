import { describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { type KeyRights, loadServerKey } from '../../../server/src/keys/server-key.js';
import { type WriteRequest, decideWrite } from '../../../server/src/keys/write-permission.js';

const kp = generateKeypair();
const key = (rights: KeyRights) => loadServerKey({ privkey: kp.privkey, extensions: { rights } }, 'dynamic');
const readOnlyKey = key({ read: true, write: false, delete: false });
const writer = key({ read: true, write: true, delete: false });
const deleter = key({ read: true, write: false, delete: true });

const base: WriteRequest = {
  cmd: Command.Write,
  readOnly: false,
  allowUpdateConfigured: false,
  sourceAllowed: false,
  allowUpdateKeys: new Set(),
  key: null,
};

describe('write permission as rspamd ≥ 3.11.1 (access-controls.md §1.2)', () => {
  it('read_only refuses everything, allowed sources and keys included', () => {
    expect(decideWrite({ ...base, readOnly: true, allowUpdateConfigured: true, sourceAllowed: true })).toEqual({ allowed: false, reason: 'read_only' });
    expect(decideWrite({ ...base, readOnly: true, key: writer, allowUpdateKeys: new Set([kp.id]) })).toMatchObject({ allowed: false });
  });

  it('a disabled key is refused whatever its rights, allow_update_keys or the source (fuzzyd, access-controls.md §2.3)', () => {
    const disabled = { ...writer, disabled: true };
    const refused = { allowed: false, reason: 'key_disabled' };
    expect(decideWrite({ ...base, key: disabled })).toEqual(refused);
    expect(decideWrite({ ...base, key: disabled, allowUpdateKeys: new Set([kp.id]) })).toEqual(refused);
    expect(decideWrite({ ...base, key: disabled, allowUpdateConfigured: true, sourceAllowed: true })).toEqual(refused);
    // Plaintext from an allowed source is not the key's: still allowed.
    expect(decideWrite({ ...base, allowUpdateConfigured: true, sourceAllowed: true })).toMatchObject({ allowed: true });
  });

  it('a non-empty allow_update is final: its sources may, others may not, whatever their key', () => {
    expect(decideWrite({ ...base, allowUpdateConfigured: true, sourceAllowed: true })).toEqual({ allowed: true, by: 'allow_update' });
    expect(decideWrite({ ...base, allowUpdateConfigured: true, key: writer, allowUpdateKeys: new Set([kp.id]) })).toEqual({
      allowed: false,
      reason: 'allow_update',
    });
  });

  it('allow_update_keys lets a listed key do any update, whatever its rights', () => {
    const ids = new Set([kp.id]);
    expect(decideWrite({ ...base, key: readOnlyKey, allowUpdateKeys: ids })).toEqual({ allowed: true, by: 'allow_update_keys' });
    expect(decideWrite({ ...base, cmd: Command.Del, key: readOnlyKey, allowUpdateKeys: ids })).toMatchObject({ allowed: true });
  });

  it("then the key's own right: WRITE needs write, DEL needs delete, other codes never pass", () => {
    expect(decideWrite({ ...base, key: writer })).toEqual({ allowed: true, by: 'key_rights' });
    expect(decideWrite({ ...base, cmd: Command.Del, key: writer })).toEqual({ allowed: false, reason: 'key_rights' });
    expect(decideWrite({ ...base, cmd: Command.Del, key: deleter })).toEqual({ allowed: true, by: 'key_rights' });
    expect(decideWrite({ ...base, key: deleter })).toEqual({ allowed: false, reason: 'key_rights' });
    expect(decideWrite({ ...base, key: readOnlyKey })).toEqual({ allowed: false, reason: 'key_rights' });
    const all = key({ read: true, write: true, delete: true });
    expect(decideWrite({ ...base, cmd: 100, key: all })).toEqual({ allowed: false, reason: 'key_rights' });
  });

  it('plaintext with an empty allow_update is refused (rspamd 3.6–3.13 crash here)', () => {
    expect(decideWrite({ ...base, allowUpdateKeys: new Set([kp.id]) })).toEqual({ allowed: false, reason: 'no_key' });
  });
});
