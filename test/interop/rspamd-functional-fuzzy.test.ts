/**
 * The scenarios of rspamd 4.1.5's own functional fuzzy suites (test/functional/cases/120_fuzzy, described in
 * docs/spec/access-controls.md §8), written anew for a real 4.1.5 scanner from the sid chroot and fuzzyd:
 *
 * - dynamic keys (`encrypted-dyn1` / `-dyn2`): the storage has one static keypair, two more keys only in its
 *   `dynamic_keys_map`, and refuses plaintext; two scanners each encrypt to one of the dynamic keys, and write because
 *   their address is in `allow_update`. Each learns, hits exactly and through shingles, and misses other mail.
 * - general multi-flag (`general`): plain UDP; learn, hit, unlearn, miss; two flags learned on one message give both
 *   symbols, and unlearning one flag removes the hash with both.
 * - read-your-writes: every scan here follows its learn's reply at once. rspamd's suites run `fuzzy_sync` and wait
 *   0.1 s first; fuzzyd acknowledges a write only once it is committed, so it needs neither.
 * - sender facts (`sender-facts`): a 4.1.5 client encrypting for a remote sender adds the SENDER_FACTS extension
 *   (0x80) to its CHECK; the storage must accept it and answer. A relay between scanner and storage decrypts each
 *   datagram with the server key to prove the extension was really sent.
 *
 * fuzzyd runs each scenario on SQLite (where a write is acknowledged after its group commit) and on Redis. With
 * FUZZYD_INTEROP_TARGET=rspamd the storage is rspamd 4.1.5's own fuzzy worker on Redis, as in its suites.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRequest } from '../../shared/protocol/codec.js';
import { Command } from '../../shared/protocol/constants.js';
import { type GeneratedKeypair, generateKeypair } from '../../shared/protocol/crypto-keys.js';
import { FuzzyCrypto } from '../../shared/protocol/fuzzy-crypto.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { type RspamdScanner, type ScanResult, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { generation } from '../helpers/rspamd-generation.js';
import { type UdpRelay, startUdpRelay } from '../helpers/udp-relay.js';
import { interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const SPAM_VARIANT = join(MESSAGES, 'spam-offer-variant.eml');
const ATTACHMENT = join(MESSAGES, 'invoice-attachment.eml');
const MISSES = [join(MESSAGES, 'ham-meeting.eml'), join(MESSAGES, 'newsletter-whitelist.eml')];
/** The suites' two flags and what the scanner calls them. */
const DENIED = 50;
const WHITE = 51;
const FLAGS: Record<number, string> = { [DENIED]: 'FUZZY_TEST_DENIED', [WHITE]: 'FUZZY_TEST_WHITE' };
const gen = generation('4.1.5');

const element = (kp: GeneratedKeypair): string =>
  `{ privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; id = "${kp.id}"; type = "kex"; algorithm = "curve25519"; encoding = "base32"; }`;
const has = (scan: ScanResult, flag: number): boolean => scan.symbols[FLAGS[flag]] !== undefined;

const BACKENDS = interopTarget() === 'rspamd' ? (['redis'] as const) : (['sqlite', 'redis'] as const);

describe.each(BACKENDS)(`rspamd ${gen.version}'s functional fuzzy scenarios, storage on %s`, (backend) => {
  if (skippedHere(gen)) return;
  const [staticKey, dyn1, dyn2] = [generateKeypair(), generateKeypair(), generateKeypair()];
  // Under /tmp (shared with the chroot) and readable by rspamd's _rspamd user, for the rspamd target.
  const dir = mkdtempSync(join(tmpdir(), 'fuzzyd-functional-'));
  let encrypted: StorageUnderTest;
  let plain: StorageUnderTest;
  let relay: UdpRelay;
  let viaDyn1: RspamdScanner;
  let viaDyn2: RspamdScanner;
  let plainScanner: RspamdScanner;
  /** What the dyn1 scanner sent, decrypted with its key: command and sender facts. */
  const seen: { cmd: number; senderFacts: number | undefined }[] = [];

  beforeAll(async () => {
    chmodSync(dir, 0o755);
    const mapFile = join(dir, 'dynamic-keys.map');
    writeFileSync(mapFile, `[\n${element(dyn1)},\n${element(dyn2)}\n]\n`);
    chmodSync(mapFile, 0o644);
    [encrypted, plain] = await Promise.all([
      startStorageUnderTest({ generation: gen, backend, keypair: staticKey, dynamicKeysMap: mapFile, encryptedOnly: true }),
      startStorageUnderTest({ generation: gen, backend }),
    ]);
    const crypto = await FuzzyCrypto.create([dyn1]);
    relay = await startUdpRelay(encrypted.udpPort, (datagram) => {
      try {
        const request = decodeRequest(crypto.decryptRequest(datagram).plain);
        seen.push({ cmd: request.cmd, senderFacts: request.extensions.senderFacts });
      } catch {
        seen.push({ cmd: -1, senderFacts: undefined });
      }
    });
    [viaDyn1, viaDyn2, plainScanner] = await Promise.all([
      startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${relay.port}`, encryptionKey: dyn1.pubkey, flags: FLAGS }),
      startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${encrypted.udpPort}`, encryptionKey: dyn2.pubkey, flags: FLAGS }),
      startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${plain.udpPort}`, flags: FLAGS }),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([viaDyn1?.stop(), viaDyn2?.stop(), plainScanner?.stop()]);
    await relay?.close();
    await Promise.all([encrypted?.stop(), plain?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  describe.each([
    ['the first', () => viaDyn1],
    ['the second', () => viaDyn2],
  ])('a client encrypting to %s dynamic key, plaintext refused, writes allowed by address', (_, scanner) => {
    it('learns a message and its attachment; both hit at once, the text also through shingles', async () => {
      for (const message of [SPAM, ATTACHMENT]) {
        const { hashes } = await scanner().fuzzyAdd(message, DENIED, 10);
        expect(hashes.length).toBeGreaterThan(0);
        await encrypted.settle();
        expect(has(await scanner().scan(message), DENIED)).toBe(true);
      }
      expect(has(await scanner().scan(SPAM_VARIANT), DENIED)).toBe(true);
    });

    it('misses mail it never learned', async () => {
      for (const message of MISSES) expect(has(await scanner().scan(message), DENIED)).toBe(false);
    });
  });

  it('a plain client of the same storage is refused (FUZZY_ENCRYPTION_REQUIRED)', async () => {
    const refused = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${encrypted.udpPort}`, flags: FLAGS });
    try {
      const scan = await refused.scan(SPAM);
      expect(scan.symbols.FUZZY_ENCRYPTION_REQUIRED).toBeDefined();
      expect(has(scan, DENIED)).toBe(false);
    } finally {
      await refused.stop();
    }
  });

  it("a remote sender's CHECK carries sender facts (0x80) and is answered; a local sender's carries none", async () => {
    const mark = seen.length;
    expect(has(await viaDyn1.scan(SPAM, { ip: '198.51.100.7' }), DENIED)).toBe(true);
    const remote = seen.slice(mark).filter((r) => r.cmd === Command.Check);
    expect(remote.length).toBeGreaterThan(0);
    expect(remote.every((r) => r.senderFacts !== undefined)).toBe(true);
    const local = seen.length;
    expect(has(await viaDyn1.scan(SPAM, { ip: '127.0.0.1' }), DENIED)).toBe(true);
    const fromLocal = seen.slice(local).filter((r) => r.cmd === Command.Check);
    expect(fromLocal.length).toBeGreaterThan(0);
    expect(fromLocal.every((r) => r.senderFacts === undefined)).toBe(true);
  });

  describe('plain UDP, as the general suite', () => {
    it('learn, hit, unlearn, miss', async () => {
      await plainScanner.fuzzyAdd(SPAM, DENIED, 10);
      await plain.settle();
      expect(has(await plainScanner.scan(SPAM), DENIED)).toBe(true);
      await plainScanner.fuzzyDel(SPAM, DENIED);
      await plain.settle();
      expect(has(await plainScanner.scan(SPAM), DENIED)).toBe(false);
    });

    it('two flags on one message show both symbols; unlearning one flag removes the hash with both', async () => {
      for (const message of [SPAM, ATTACHMENT]) {
        await plainScanner.fuzzyAdd(message, DENIED, 10);
        await plainScanner.fuzzyAdd(message, WHITE, 10);
        await plain.settle();
        const both = await plainScanner.scan(message);
        expect([has(both, DENIED), has(both, WHITE)]).toEqual([true, true]);
        await plainScanner.fuzzyDel(message, DENIED);
        await plain.settle();
        const none = await plainScanner.scan(message);
        expect([has(none, DENIED), has(none, WHITE)]).toEqual([false, false]);
      }
    });
  });
});
