/** The key settings through the loader: keypair extensions, allow_update_keys and dynamic_keys_map (access-controls.md). */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config/app-config.js';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());
const [a, b] = [generateKeypair(), generateKeypair()];
let n = 0;
function ucl(text: string): Record<string, string> {
  const path = dir.file(`fuzzyd-${n++}.conf`);
  writeFileSync(path, text);
  return { FUZZYD_CONFIG: path };
}

describe('key settings', () => {
  it("reads keypair blocks with extensions from a worker-fuzzy.inc style file", () => {
    const config = loadConfig(
      ucl(`
        allow_update = [];
        allow_update_keys = ["${a.id}"];
        keypair { privkey = "${a.privkey}"; extensions { name = "a"; allowed_ops = ["read", "write"]; expire = "31-12-2030"; } }
        keypair { privkey = "${b.privkey}"; }
      `),
    );
    expect(config.allowUpdate).toEqual([]);
    expect(config.allowUpdateKeys.ids).toEqual([a.id]);
    expect(config.keypairs[0].extensions).toMatchObject({ name: 'a', rights: { read: true, write: true, delete: false } });
    expect(config.keypairs[1].extensions).toBeUndefined();
  });

  it('FUZZYD_KEYPAIR entries have no extensions', () => {
    expect(loadConfig({ FUZZYD_KEYPAIR: `${a.privkey}:${a.pubkey}` }).keypairs).toEqual([{ privkey: a.privkey, pubkey: a.pubkey }]);
  });

  it('a bad extension stops the start, naming the file key and the key', () => {
    expect(() => loadConfig(ucl(`keypair { privkey = "${a.privkey}"; extensions { name = "c"; allowed_ops = ["all"]; } }`))).toThrow(
      /^keypair in .*fuzzyd-\d+\.conf: keypair 'c': extensions\.allowed_ops\[0\] must be one of read, write, delete$/,
    );
  });

  it('dynamic_keys_map is read at start; a missing or broken file stops it', () => {
    const map = dir.file('keys.map');
    writeFileSync(map, `[{ privkey = "${b.privkey}"; extensions { read_only = false; } }]`);
    const config = loadConfig({ FUZZYD_DYNAMIC_KEYS_MAP: map });
    expect(config.dynamicKeysMap).toMatchObject({ source: { kind: 'file', path: map }, keys: [{ privkey: b.privkey }] });
    expect(loadConfig({ FUZZYD_DYNAMIC_KEYS_MAP: `file://${map}` }).dynamicKeysMap).toMatchObject({ source: { kind: 'file', path: map } });
    expect(loadConfig({}).dynamicKeysMap).toBeNull();
    expect(() => loadConfig({ FUZZYD_DYNAMIC_KEYS_MAP: dir.file('none.map') })).toThrow(/^FUZZYD_DYNAMIC_KEYS_MAP: cannot read .*ENOENT/);
    writeFileSync(map, '[{ privkey = ');
    expect(() => loadConfig({ FUZZYD_DYNAMIC_KEYS_MAP: map })).toThrow(/^FUZZYD_DYNAMIC_KEYS_MAP: .* is not valid UCL\/JSON/);
  });

  it('dynamic_keys_map may be an http(s) URL, fetched at start rather than while the config loads; other schemes stop it', () => {
    const config = loadConfig({ FUZZYD_DYNAMIC_KEYS_MAP: 'https://maps.example/keys.map', FUZZYD_MAP_WATCH_INTERVAL: '30s' });
    expect(config.dynamicKeysMap).toEqual({ source: { kind: 'http', url: 'https://maps.example/keys.map' }, key: 'FUZZYD_DYNAMIC_KEYS_MAP', keys: [] });
    expect(config.mapWatchIntervalSeconds).toBe(30);
    expect(loadConfig({}).mapWatchIntervalSeconds).toBe(300);
    expect(() => loadConfig({ FUZZYD_MAP_WATCH_INTERVAL: '0s' })).toThrow(/^FUZZYD_MAP_WATCH_INTERVAL: /);
    const signed = () => loadConfig({ FUZZYD_DYNAMIC_KEYS_MAP: 'sign+key=abc+https://user:pw@maps.example/keys.map' });
    expect(signed).toThrow(/only a file path, file:\/\/ or http\(s\):\/\/ maps are supported/);
    expect(signed).toThrow(/https:\/\/\*\*\*@maps\.example/);
    expect(() => loadConfig({ FUZZYD_DYNAMIC_KEYS_MAP: 'ftp://maps.example/keys.map' })).toThrow(/only a file path/);
  });
});
