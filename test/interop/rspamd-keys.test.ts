/**
 * Keys and their rights through real rspamd scanners (docs/spec/access-controls.md §1.2, §2, §3, §9): each scanner's
 * fuzzy rule encrypts to one key of the storage's `dynamic_keys_map`, and `allow_update` is unset, so only keys decide
 * writes. A key in `allow_update_keys` learns and its scan hits; a key without the write right gets its learn refused
 * (the HTTP status is the storage's refusal code) while its scans still hit; an expired key's scans are refused,
 * which a 4.x (and 3.10+) client shows as FUZZY_FORBIDDEN and a 3.4 client, given 403, as FUZZY_BLOCKED.
 *
 * With FUZZYD_INTEROP_TARGET=rspamd the storage is the scanner generation's own fuzzy worker; per-key rights exist
 * since 3.11.1 and dynamic keys since 3.8.2, so older generations are skipped there.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GeneratedKeypair, generateKeypair } from '../../shared/protocol/crypto-keys.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { RspamdHttpError, type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { RSPAMD_GENERATIONS, type RspamdGeneration } from '../helpers/rspamd-generation.js';
import { refusedLearnStatus, replyCodesFor } from './generation-expectations.js';
import { interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const SPAM_VARIANT = join(MESSAGES, 'spam-offer-variant.eml');
const PHISHING = join(MESSAGES, 'phishing-bank.eml');
const NEWSLETTER = join(MESSAGES, 'newsletter-whitelist.eml');

/** DD-MM-YYYY of yesterday, local time. */
function yesterday(): string {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getDate())}-${two(d.getMonth() + 1)}-${d.getFullYear()}`;
}

const element = (kp: GeneratedKeypair, extensions: string): string =>
  `{ privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; id = "${kp.id}"; type = "kex"; algorithm = "curve25519"; encoding = "base32"; extensions { ${extensions} } }`;

/** What an expired key's scan shows: 3.10+ clients get 503 (FUZZY_FORBIDDEN), a 3.4 client 403 (FUZZY_BLOCKED). */
function expiredSymbol(gen: RspamdGeneration): string {
  return refusedLearnStatus(gen) === 503 ? 'FUZZY_FORBIDDEN' : 'FUZZY_BLOCKED';
}

/** rspamd 3.6–3.13's own worker dereferences the missing key of a plaintext update (access-controls.md §1.2). */
function storageCrashesOnPlaintextUpdate(gen: RspamdGeneration): boolean {
  const [major, minor] = gen.version.split('.').map(Number);
  return interopTarget() === 'rspamd' && major === 3 && minor >= 6 && minor < 14;
}

/** rspamd's own worker has per-key rights since 3.11.1 (and dynamic keys since 3.8.2). */
function storageKnowsKeyRights(gen: RspamdGeneration): boolean {
  const [major, minor] = gen.version.split('.').map(Number);
  return interopTarget() === 'fuzzyd' || major > 3 || (major === 3 && minor >= 11);
}

describe.each(RSPAMD_GENERATIONS)('rspamd $version scanners encrypting to dynamic keys', (gen) => {
  if (skippedHere(gen)) return;
  if (!storageKnowsKeyRights(gen)) {
    it.skip(`skipped: rspamd ${gen.version}'s own storage has no per-key rights`, () => undefined);
    return;
  }
  const keys = { listed: generateKeypair(), readOnly: generateKeypair(), expired: generateKeypair(), writer: generateKeypair(), deleter: generateKeypair() };
  // Under /tmp (shared with the chroots) and readable by rspamd's _rspamd user.
  const dir = mkdtempSync(join(tmpdir(), 'fuzzyd-keys-'));
  let storage: StorageUnderTest;
  let listed: RspamdScanner;
  let readOnly: RspamdScanner;
  let expired: RspamdScanner;
  let writer: RspamdScanner;
  let deleter: RspamdScanner;
  let plain: RspamdScanner;

  beforeAll(async () => {
    chmodSync(dir, 0o755);
    const mapFile = join(dir, 'dynamic-keys.map');
    writeFileSync(
      mapFile,
      `[\n${[
        element(keys.listed, 'name = "listed";'),
        element(keys.readOnly, 'name = "read-only"; read_only = true;'),
        element(keys.expired, `name = "expired"; expire = "${yesterday()}";`),
        element(keys.writer, 'name = "writer"; allowed_ops = ["read", "write"];'),
        element(keys.deleter, 'name = "deleter"; allowed_ops = ["read", "delete"];'),
      ].join(',\n')}\n]\n`,
    );
    const idsFile = join(dir, 'allow-update-keys.map');
    writeFileSync(idsFile, `${keys.listed.id}\n`);
    chmodSync(mapFile, 0o644);
    chmodSync(idsFile, 0o644);
    storage = await startStorageUnderTest({
      generation: gen,
      allowUpdate: [],
      dynamicKeysMap: mapFile,
      allowUpdateKeysFile: idsFile,
      replyCodes: replyCodesFor(gen),
    });
    const fuzzyServer = `127.0.0.1:${storage.udpPort}`;
    [listed, readOnly, expired, writer, deleter, plain] = await Promise.all(
      [keys.listed.pubkey, keys.readOnly.pubkey, keys.expired.pubkey, keys.writer.pubkey, keys.deleter.pubkey, undefined].map((encryptionKey) =>
        startRspamdScanner({ generation: gen, fuzzyServer, encryptionKey }),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all([listed?.stop(), readOnly?.stop(), expired?.stop(), writer?.stop(), deleter?.stop(), plain?.stop()]);
    await storage?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a key in allow_update_keys learns, and its scan hits', async () => {
    const { hashes } = await listed.fuzzyAdd(SPAM, 1, 10);
    expect(hashes).toHaveLength(1);
    await storage.settle();
    const scan = await listed.scan(SPAM);
    expect(scan.symbols.FUZZY_DENIED?.options).toEqual([`1:${hashes[0].slice(0, 10)}:1.00:txt`]);
  });

  it(`a key without the write right gets its learn refused (HTTP ${refusedLearnStatus(gen)}) and still reads`, async () => {
    const refused = await readOnly.fuzzyAdd(SPAM_VARIANT, 1, 10).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RspamdHttpError);
    expect((refused as RspamdHttpError).status).toBe(refusedLearnStatus(gen));
    await storage.settle();
    const scan = await readOnly.scan(SPAM);
    expect(scan.symbols.FUZZY_DENIED).toBeDefined();
  });

  // rspamd's own worker is left out here: its expiry time is built from an uninitialised struct tm and was not
  // applied in 5 of 14 starts (access-controls.md §2.2, "Observed"). When it is applied it shows the same.
  it.skipIf(interopTarget() === 'rspamd')(`an expired key's scan is refused: ${expiredSymbol(gen)}`, async () => {
    const scan = await expired.scan(SPAM);
    expect(scan.symbols[expiredSymbol(gen)]).toBeDefined();
    expect(scan.symbols.FUZZY_DENIED).toBeUndefined();
  });

  it(`a key with allowed_ops read and write learns, but its delete is refused (HTTP ${refusedLearnStatus(gen)})`, async () => {
    const { hashes } = await writer.fuzzyAdd(PHISHING, 1, 10);
    expect(hashes).toHaveLength(1);
    await storage.settle();
    expect((await writer.scan(PHISHING)).symbols.FUZZY_DENIED).toBeDefined();
    const refused = await writer.fuzzyDel(PHISHING, 1).then(
      () => null,
      (err: unknown) => err,
    );
    expect((refused as RspamdHttpError).status).toBe(refusedLearnStatus(gen));
    await storage.settle();
    expect((await writer.scan(PHISHING)).symbols.FUZZY_DENIED).toBeDefined();
  });

  it(`a key with allowed_ops read and delete cannot learn (HTTP ${refusedLearnStatus(gen)}) but deletes, and the scan then misses`, async () => {
    const refused = await deleter.fuzzyAdd(SPAM_VARIANT, 1, 10).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RspamdHttpError);
    expect((refused as RspamdHttpError).status).toBe(refusedLearnStatus(gen));
    // PHISHING was learned through the writer key above.
    expect((await deleter.scan(PHISHING)).symbols.FUZZY_DENIED).toBeDefined();
    await deleter.fuzzyDel(PHISHING, 1);
    await storage.settle();
    expect((await deleter.scan(PHISHING)).symbols.FUZZY_DENIED).toBeUndefined();
  });

  // Last: rspamd 3.6–3.13's own worker crashes here.
  it(`a plaintext learn is refused (HTTP ${refusedLearnStatus(gen)}) when allow_update is unset`, async () => {
    const refused = await plain.fuzzyAdd(NEWSLETTER, 1, 10).then(
      () => null,
      (err: unknown) => err,
    );
    if (storageCrashesOnPlaintextUpdate(gen)) {
      // Seen on 3.12.1: "rspamd_crash_sig_handler: caught fatal signal 11", then a respawn; the controller's answer
      // is not even valid HTTP. fuzzyd refuses instead (the same test with the fuzzyd target).
      expect(refused).toBeInstanceOf(Error);
      expect(readFileSync(storage.logPath!, 'utf8')).toMatch(/\(fuzzy\) rspamd_crash_sig_handler: caught fatal signal 11/);
      return;
    }
    expect(refused).toBeInstanceOf(RspamdHttpError);
    expect((refused as RspamdHttpError).status).toBe(refusedLearnStatus(gen));
  });
});
