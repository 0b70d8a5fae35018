import { describe, expect, it } from 'vitest';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { parseKeypairObjects } from '../../../server/src/config/keypairs.js';
import { parseExpireDate, parseKeyExtensions } from '../../../server/src/keys/key-extensions.js';
import { checkRefusal, loadServerKey } from '../../../server/src/keys/server-key.js';
import { errorOf } from '../../helpers/error-of.js';

const kp = generateKeypair();

describe('keypair extensions (access-controls.md §2.2)', () => {
  it('a key without extensions, or with empty ones, may only read', () => {
    expect(loadServerKey({ privkey: kp.privkey }, 'static').rights).toEqual({ read: true, write: false, delete: false });
    expect(parseKeyExtensions({}).rights).toEqual({ read: true, write: false, delete: false });
  });

  it('read_only = false adds write and delete, read_only = true removes them', () => {
    expect(parseKeyExtensions({ read_only: false }).rights).toEqual({ read: true, write: true, delete: true });
    expect(parseKeyExtensions({ read_only: true }).rights).toEqual({ read: true, write: false, delete: false });
  });

  it('allowed_ops replaces the rights, case-insensitively, and wins over read_only', () => {
    expect(parseKeyExtensions({ allowed_ops: ['READ', 'delete'] }).rights).toEqual({ read: true, write: false, delete: true });
    expect(parseKeyExtensions({ read_only: false, allowed_ops: ['write'] }).rights).toEqual({ read: false, write: true, delete: false });
    expect(parseKeyExtensions({ read_only: true, allowed_ops: ['read', 'write'] }).rights).toEqual({ read: true, write: true, delete: false });
    expect(parseKeyExtensions({ allowed_ops: [] }).rights).toEqual({ read: false, write: false, delete: false });
  });

  it('keeps name, expire, forbidden_ids and ratelimit', () => {
    const ext = parseKeyExtensions({ name: 'customer-a', expire: '31-12-2026', forbidden_ids: [11, 12], ratelimit: '1000 / 1h' });
    expect(ext).toMatchObject({ name: 'customer-a', forbiddenIds: [11, 12], ratelimit: '1000 / 1h' });
    expect(ext.expire).toEqual({ text: '31-12-2026', at: new Date(2026, 11, 31).getTime() });
    expect(parseKeyExtensions({ ratelimit: { burst: '10k', rate: 0.5 } }).ratelimit).toEqual({ burst: '10k', rate: 0.5 });
    expect(parseKeyExtensions({ ratelimit: [100, 1] }).ratelimit).toEqual([100, 1]);
  });

  it('expire is the start of that day, local time; dates that do not exist are refused', () => {
    expect(parseExpireDate('01-03-2026')).toBe(new Date(2026, 2, 1, 0, 0, 0, 0).getTime());
    expect(parseExpireDate('1-3-2026')).toBe(new Date(2026, 2, 1).getTime());
    for (const bad of ['31-02-2026', '2026-03-01', '00-01-2026', '01-13-2026', 'tomorrow', 20260301]) {
      expect(() => parseExpireDate(bad)).toThrow(/extensions\.expire must be a date DD-MM-YYYY/);
    }
  });

  it.each([
    [{ name: '' }, /extensions\.name must be a non-empty string/],
    [{ read_only: 'no' }, /extensions\.read_only must be true or false/],
    [{ allowed_ops: 'read' }, /extensions\.allowed_ops must be a list of read, write, delete/],
    [{ allowed_ops: ['read', 'admin'] }, /extensions\.allowed_ops\[1\] must be one of read, write, delete/],
    [{ expire: '2026-12-31' }, /extensions\.expire must be a date DD-MM-YYYY/],
    [{ forbidden_ids: 11 }, /extensions\.forbidden_ids must be a list of flag numbers/],
    [{ forbidden_ids: [1, -2] }, /extensions\.forbidden_ids\[1\] must be a whole number/],
    [{ ratelimit: 'fast' }, /extensions\.ratelimit must be/],
    [{ ratelimit: [1, 2, 3] }, /extensions\.ratelimit must be/],
    [{ ratelimit: { burst: 1 } }, /extensions\.ratelimit must be/],
    [{ weak: true }, /extensions\.weak is not a key extension/],
  ])('refuses %j', (ext, message) => {
    expect(() => parseKeyExtensions(ext)).toThrow(message);
  });

  it('a bad extension in the config names the setting, the key position and the key, never the secret', () => {
    const msg = errorOf(() =>
      parseKeypairObjects([{ privkey: kp.privkey }, { privkey: kp.privkey, extensions: { name: 'customer-b', expire: 'soon' } }], 'keypair in f.conf'),
    );
    expect(msg).toBe("keypair in f.conf: [1] 'customer-b': extensions.expire must be a date DD-MM-YYYY");
    const unnamed = errorOf(() => parseKeypairObjects({ privkey: kp.privkey, pubkey: kp.pubkey, extensions: { read_only: 1 } }, 'keypair'));
    expect(unnamed).toBe(`keypair: keypair (pubkey ${kp.pubkey.slice(0, 12)}…): extensions.read_only must be true or false`);
    expect(unnamed).not.toContain(kp.privkey);
    expect(() => parseKeypairObjects({ privkey: kp.privkey, extensions: [] }, 'keypair')).toThrow(/extensions must be an object/);
  });

  it('an expired key and a key without read refuse CHECKs; a key dated later does not', () => {
    const today = new Date();
    const at = (days: number): string => {
      const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days);
      return `${d.getDate()}-${d.getMonth() + 1}-${d.getFullYear()}`;
    };
    const key = (extensions: object) => loadServerKey({ privkey: kp.privkey, extensions: parseKeyExtensions(extensions) }, 'static');
    expect(checkRefusal(key({ expire: at(-1) }), Date.now())).toBe('expired');
    // The start of today has passed: a key dated today is expired, as in rspamd.
    expect(checkRefusal(key({ expire: at(0) }), Date.now())).toBe('expired');
    expect(checkRefusal(key({ expire: at(1) }), Date.now())).toBeNull();
    // Evaluated against the time given, each request: the same key expires once that day starts.
    const tomorrow = key({ expire: at(1) });
    expect(checkRefusal(tomorrow, tomorrow.expireAt! + 1)).toBe('expired');
    expect(checkRefusal(key({ allowed_ops: ['write'] }), Date.now())).toBe('no-read');
    expect(checkRefusal(key({}), Date.now())).toBeNull();
  });
});
