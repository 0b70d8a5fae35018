/**
 * `dynamic_keys_map` over HTTP through a real rspamd 4.1.5 scanner (docs/spec/access-controls.md §3.1): the map is
 * served by a node:http server on loopback, and the scanner's rule encrypts to a key the map does not hold yet. Its
 * learn goes unanswered (fuzzyd cannot decrypt it); once the key is published, the next poll brings it in and the
 * same scanner learns and hits. Writes are allowed by IP and plaintext is refused, as in rspamd's encrypted-dyn
 * functional suites.
 *
 * fuzzyd target only: rspamd's own worker polls an HTTP map no sooner than every 10 minutes (4 × the interval with an
 * ETag, map.c:403-431), and keeps a copy of the map, private keys included, under /var/lib/rspamd.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedKeypair, generateKeypair } from '../../shared/protocol/crypto-keys.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { type MapHttpServer, startMapHttpServer } from '../helpers/map-http-server.js';
import { type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { generation } from '../helpers/rspamd-generation.js';
import { interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const SPAM = join(fileURLToPath(new URL('./messages', import.meta.url)), 'spam-offer.eml');
const gen = generation('4.1.5');
const element = (kp: GeneratedKeypair): string =>
  `{ privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; id = "${kp.id}"; type = "kex"; algorithm = "curve25519"; encoding = "base32"; }`;

describe(`rspamd ${gen.version} scanner encrypting to a key of an HTTP dynamic_keys_map`, () => {
  if (skippedHere(gen)) return;
  if (interopTarget() === 'rspamd') {
    it.skip("skipped: rspamd's own worker polls HTTP maps every 10 min at the soonest", () => undefined);
    return;
  }
  const [other, scannerKey] = [generateKeypair(), generateKeypair()];
  let maps: MapHttpServer;
  let storage: StorageUnderTest;
  let scanner: RspamdScanner;

  beforeAll(async () => {
    maps = await startMapHttpServer(`[${element(other)}]`);
    storage = await startStorageUnderTest({
      generation: gen,
      dynamicKeysMap: maps.url,
      encryptedOnly: true,
      fuzzydEnv: { FUZZYD_MAP_WATCH_INTERVAL: '1s' },
    });
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${storage.udpPort}`, encryptionKey: scannerKey.pubkey });
  }, 120_000);
  afterAll(async () => {
    await scanner?.stop();
    await storage?.stop();
    await maps?.close();
  });

  it('a learn encrypted to a key the map does not hold goes unanswered', async () => {
    await expect(scanner.fuzzyAdd(SPAM, 1, 10)).rejects.toThrow();
    expect((await scanner.scan(SPAM)).symbols.FUZZY_DENIED).toBeUndefined();
  });

  it('once the map publishes the key, the scanner learns and hits', async () => {
    maps.publish(`[${element(other)}, ${element(scannerKey)}]`);
    const deadline = Date.now() + 30_000;
    let learned: string[] = [];
    while (learned.length === 0) {
      learned = await scanner.fuzzyAdd(SPAM, 1, 10).then((r) => r.hashes, () => []);
      if (learned.length === 0 && Date.now() > deadline) throw new Error('the published key was never usable');
    }
    expect(learned).toHaveLength(1);
    const scan = await scanner.scan(SPAM);
    expect(scan.symbols.FUZZY_DENIED?.options).toEqual([`1:${learned[0].slice(0, 10)}:1.00:txt`]);
    expect(maps.requests.some((r) => r.status === 304)).toBe(true);
  });
});
