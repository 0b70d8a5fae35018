import { describe, expect, it } from 'vitest';
import { type GeneratedKeypair, decodeKey, generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { KeyRing } from '../../../server/src/keys/key-ring.js';
import type { KeyConfig } from '../../../server/src/keys/server-key.js';

const [a, b, d1, d2, m1] = [generateKeypair(), generateKeypair(), generateKeypair(), generateKeypair(), generateKeypair()];
const cfg = (kp: GeneratedKeypair, name: string): KeyConfig => ({
  privkey: kp.privkey,
  extensions: { name, rights: { read: true, write: false, delete: false } },
});
const wireId = (kp: GeneratedKeypair): Buffer => Buffer.from(decodeKey(kp.pubkey).subarray(0, 8));
const unknownId = Buffer.from('garbage!');

describe('key lookup (access-controls.md §1.5, §3)', () => {
  it('static keys by wire id, then dynamic keys, else the last static key', () => {
    const ring = new KeyRing([cfg(a, 'a'), cfg(b, 'b')], [cfg(d1, 'd1')]);
    expect(ring.find(wireId(a))?.name).toBe('a');
    expect(ring.find(wireId(b))?.name).toBe('b');
    expect(ring.find(wireId(d1))).toMatchObject({ name: 'd1', source: 'dynamic' });
    // An unknown id falls back to the default key: the LAST static keypair, not the first, and not a dynamic one.
    expect(ring.find(unknownId)).toMatchObject({ name: 'b', source: 'static' });
  });

  it('a static key wins over a dynamic key with the same wire id', () => {
    const ring = new KeyRing([cfg(a, 'static-a')], [cfg(a, 'dynamic-a')]);
    expect(ring.find(wireId(a))).toMatchObject({ name: 'static-a', source: 'static' });
  });

  it('without a static key an unknown id finds nothing; dynamic keys still work', () => {
    const ring = new KeyRing([], [cfg(d1, 'd1')]);
    expect(ring.find(wireId(d1))?.name).toBe('d1');
    expect(ring.find(unknownId)).toBeNull();
    expect(new KeyRing([]).find(unknownId)).toBeNull();
  });

  it('the dynamic set is replaced whole, and the change is told with the new configs', () => {
    const ring = new KeyRing([cfg(a, 'a')], [cfg(d1, 'd1')]);
    const told: string[][] = [];
    ring.onChange = (changes) => told.push(changes.dynamic.map((c) => c.extensions!.name!));
    ring.setDynamic([cfg(d2, 'd2')]);
    expect(ring.find(wireId(d2))?.name).toBe('d2');
    // d1 is gone: its id now gets the default key.
    expect(ring.find(wireId(d1))?.name).toBe('a');
    expect(told).toEqual([['d2']]);
  });

  it('a dynamic set with a key that does not load is refused and the old set stays', () => {
    const ring = new KeyRing([], [cfg(d1, 'd1')]);
    expect(() => ring.setDynamic([cfg(d2, 'd2'), { privkey: 'not-a-key' }])).toThrow();
    expect(ring.find(wireId(d1))?.name).toBe('d1');
    expect(ring.find(wireId(d2))).toBeNull();
  });

  it('refuses two static keys with the same wire id, as rspamd ≥ 3.8.2 does', () => {
    expect(() => new KeyRing([cfg(a, 'x'), cfg(a, 'y')])).toThrow(/same key id/);
  });

  it('a key carries the id allow_update_keys lists: what rspamadm keypair prints', () => {
    expect(new KeyRing([cfg(a, 'a')]).find(wireId(a))?.id).toBe(a.id);
  });

  it('admin keys are looked up after static and dynamic keys, before the default key', () => {
    const ring = new KeyRing([cfg(a, 'a')], [cfg(d1, 'd1')], { admin: [cfg(m1, 'm1'), cfg(d1, 'admin-d1')], disabled: [] });
    expect(ring.find(wireId(m1))).toMatchObject({ name: 'm1', source: 'admin' });
    // An admin key with a dynamic key's wire id is never reached.
    expect(ring.find(wireId(d1))).toMatchObject({ name: 'd1', source: 'dynamic' });
    expect(ring.holderOf(wireId(m1))).toBe('admin');
    expect(ring.holderOf(unknownId)).toBeNull();
    expect(ring.list().map((k) => k.key.source)).toEqual(['static', 'dynamic', 'admin', 'admin']);
  });

  it('disabled ids mark the key wherever it comes from, the default key included, and the change is told whole', () => {
    const ring = new KeyRing([cfg(a, 'a')], [cfg(d1, 'd1')]);
    const told: { admin: number; disabled: string[] }[] = [];
    ring.onChange = (changes) => told.push({ admin: changes.admin.length, disabled: [...changes.disabled] });
    ring.setAdmin([cfg(m1, 'm1')], [a.id, d1.id]);
    expect(ring.find(unknownId)).toMatchObject({ name: 'a', disabled: true });
    expect(ring.find(wireId(d1))?.disabled).toBe(true);
    expect(ring.find(wireId(m1))?.disabled).toBe(false);
    expect(ring.list().find((k) => k.isDefault)?.key.disabled).toBe(true);
    expect(told).toEqual([{ admin: 1, disabled: [a.id, d1.id] }]);
    // The dynamic set changing keeps the admin keys and the disabled ids.
    ring.setDynamic([cfg(d1, 'd1 again'), cfg(d2, 'd2')]);
    expect(ring.find(wireId(d1))).toMatchObject({ name: 'd1 again', disabled: true });
    expect(ring.find(wireId(m1))?.name).toBe('m1');
  });

  it('a thread ring takes the whole changeable part and matches the main one', () => {
    const main = new KeyRing([cfg(a, 'a')]);
    main.setAdmin([cfg(m1, 'm1')], [m1.id]);
    const thread = new KeyRing([cfg(a, 'a')]);
    thread.replace(structuredClone(main.current));
    expect(thread.find(wireId(m1))).toMatchObject({ name: 'm1', source: 'admin', disabled: true });
  });
});
