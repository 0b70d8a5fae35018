import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type GeneratedKeypair, decodeKey, generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { DynamicKeysWatcher, parseMapSource, readDynamicKeysFile } from '../../../server/src/keys/dynamic-keys-map.js';
import { redactMapUrl } from '../../../server/src/keys/http-map-fetch.js';
import { KeyRing } from '../../../server/src/keys/key-ring.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());
const [a, b] = [generateKeypair(), generateKeypair()];
const wireId = (kp: GeneratedKeypair): Buffer => Buffer.from(decodeKey(kp.pubkey).subarray(0, 8));

/** The format rspamd's own test map has (test/functional/configs/maps/fuzzy_keymap.map), `rspamadm keypair` fields. */
const ucl = (kp: GeneratedKeypair, extensions = ''): string =>
  `{ privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; id = "${kp.id}"; type = "kex"; algorithm = "curve25519"; encoding = "base32"; ${extensions} }`;

describe('dynamic_keys_map (access-controls.md §3)', () => {
  it('reads a UCL array of keypair objects with extensions, and JSON', () => {
    const file = dir.file('keys.map');
    writeFileSync(file, `[\n${ucl(a, 'extensions { name = "a"; allowed_ops = ["read", "write"]; }')},\n${ucl(b)}\n]\n`);
    const keys = readDynamicKeysFile(file, 'K', true);
    expect(keys).toHaveLength(2);
    expect(keys[0].extensions).toMatchObject({ name: 'a', rights: { read: true, write: true, delete: false } });
    writeFileSync(file, JSON.stringify([{ privkey: a.privkey, pubkey: a.pubkey }]));
    expect(readDynamicKeysFile(file, 'K', true)).toHaveLength(1);
  });

  it('refuses a file that is not an array, a bad element and a key that does not load, without quoting the key', () => {
    const file = dir.file('bad.map');
    writeFileSync(file, ucl(a));
    expect(() => readDynamicKeysFile(file, 'K', true)).toThrow(/must hold an array of keypair objects/);
    writeFileSync(file, `[${ucl(a, 'extensions { expire = "never"; }')}]`);
    expect(() => readDynamicKeysFile(file, 'K', true)).toThrow(/\[0\] .*extensions\.expire must be a date/);
    const broken = `${a.privkey.slice(0, -1)}!`;
    writeFileSync(file, `[{ privkey = "${broken}"; }]`);
    const err = (() => {
      try {
        readDynamicKeysFile(file, 'K', true);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(err).toMatch(/\[0\]: privkey\/pubkey are not a valid curve25519 keypair/);
    expect(err).not.toContain(broken.slice(0, 10));
  });

  it('an empty file is no keys at start, but an error on reload (a file being rewritten)', () => {
    const file = dir.file('empty.map');
    writeFileSync(file, '\n');
    expect(readDynamicKeysFile(file, 'K', false)).toEqual([]);
    expect(() => readDynamicKeysFile(file, 'K', true)).toThrow(/is empty/);
  });

  it('the watcher swaps in a changed file and keeps the old keys when the new file is broken', () => {
    const file = dir.file('watched.map');
    writeFileSync(file, `[${ucl(a)}]`);
    const ring = new KeyRing([], readDynamicKeysFile(file, 'K', false));
    const loaded: number[] = [];
    const errors: string[] = [];
    const watcher = new DynamicKeysWatcher(file, 'K', ring, { onLoaded: (n) => loaded.push(n), onError: (m) => errors.push(m) });
    watcher.poll();
    expect(loaded).toEqual([]);
    writeFileSync(file, `[${ucl(a)}, ${ucl(b)}]`);
    watcher.poll();
    expect(loaded).toEqual([2]);
    expect(ring.find(wireId(b))?.pubkey).toBe(b.pubkey);
    writeFileSync(file, `[${ucl(b)}, { privkey = `);
    watcher.poll();
    expect(errors).toHaveLength(1);
    expect(errors[0]).not.toContain(b.privkey);
    expect(ring.find(wireId(a))?.pubkey).toBe(a.pubkey);
    expect(ring.find(wireId(b))?.pubkey).toBe(b.pubkey);
  });
});

describe('map sources and what logs may show of them', () => {
  it.each([
    ['http://user:pw@maps.example/keys.map', 'http://***@maps.example/keys.map'],
    ['https://u:p@ss@maps.example:8443/k?x=@', 'https://***@maps.example:8443/k?x=@'],
    ['https://maps.example/a@b', 'https://maps.example/a@b'],
    ['http://[::1]:8080/keys.map', 'http://[::1]:8080/keys.map'],
    ['/etc/fuzzyd/keys.map', '/etc/fuzzyd/keys.map'],
  ])('redactMapUrl(%s) = %s', (url, shown) => {
    expect(redactMapUrl(url)).toBe(shown);
  });

  it('reads http(s) URLs, file:// and bare paths', () => {
    expect(parseMapSource('https://maps.example/keys.map', 'K')).toEqual({ kind: 'http', url: 'https://maps.example/keys.map' });
    expect(parseMapSource('file:///etc/keys.map', 'K')).toEqual({ kind: 'file', path: '/etc/keys.map' });
    expect(parseMapSource('keys.map', 'K')).toEqual({ kind: 'file', path: 'keys.map' });
    expect(() => parseMapSource('fallback+file:///etc/keys.map', 'K')).toThrow(/only a file path/);
  });
});
