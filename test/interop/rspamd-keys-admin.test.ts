/**
 * A key made over fuzzyd's REST API, used by real rspamd scanners (docs/spec/access-controls.md §2.3): the scanner's
 * rule encrypts to the public key the POST answered, `allow_update` is unset so only the key decides, and the key
 * learns and hits. Disabled over REST, its scans are refused as an expired key's are (a 4.x and 3.10+ client shows
 * FUZZY_FORBIDDEN, a 3.4 client given 403 FUZZY_BLOCKED) and its learns are refused; enabled again, it hits again.
 * No restart of anything in between: the UDP threads take each change at once.
 *
 * fuzzyd only: rspamd's own storage has no API to make or disable keys.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyCreated } from '../../shared/api/api-types.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { RspamdHttpError, type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { RSPAMD_GENERATIONS, type RspamdGeneration } from '../helpers/rspamd-generation.js';
import { refusedLearnStatus, replyCodesFor } from './generation-expectations.js';
import { interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const PHISHING = join(MESSAGES, 'phishing-bank.eml');
const TOKEN = 'fzd_interop_keys_admin_token_0123456789';

/** What a refused scan shows: 3.10+ clients get 503 (FUZZY_FORBIDDEN), a 3.4 client 403 (FUZZY_BLOCKED). */
function refusedSymbol(gen: RspamdGeneration): string {
  return refusedLearnStatus(gen) === 503 ? 'FUZZY_FORBIDDEN' : 'FUZZY_BLOCKED';
}

describe.each(RSPAMD_GENERATIONS)('rspamd $version scanners encrypting to a key made over REST', (gen) => {
  if (skippedHere(gen)) return;
  if (interopTarget() === 'rspamd') {
    it.skip("skipped: rspamd's own storage has no REST API for keys", () => undefined);
    return;
  }
  let storage: StorageUnderTest;
  let scanner: RspamdScanner;
  let created: KeyCreated;

  const api = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`http://127.0.0.1:${storage.httpPort}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  beforeAll(async () => {
    storage = await startStorageUnderTest({
      generation: gen,
      allowUpdate: [],
      replyCodes: replyCodesFor(gen),
      fuzzydEnv: { FUZZYD_ADMIN_TOKEN: TOKEN, FUZZYD_UDP_THREADS: '2' },
    });
    const res = await api('POST', '/keys', { name: `scanner ${gen.version}`, allowedOps: ['read', 'write'] });
    expect(res.status).toBe(201);
    created = (await res.json()) as KeyCreated;
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${storage.udpPort}`, encryptionKey: created.key.pubkey });
  }, 120_000);

  afterAll(async () => {
    await scanner?.stop();
    await storage?.stop();
  });

  it('learns and hits through the new key', async () => {
    const { hashes } = await scanner.fuzzyAdd(SPAM, 1, 10);
    expect(hashes).toHaveLength(1);
    const scan = await scanner.scan(SPAM);
    expect(scan.symbols.FUZZY_DENIED?.options).toEqual([`1:${hashes[0].slice(0, 10)}:1.00:txt`]);
  });

  it(`disabled over REST: its scans show ${refusedSymbol(gen)} and its learns are refused (HTTP ${refusedLearnStatus(gen)})`, async () => {
    expect((await api('PATCH', `/keys/${created.key.id}`, { disabled: true })).status).toBe(200);
    // Several scans: rspamd spreads nothing here (one server), but each may land on either UDP thread.
    for (let i = 0; i < 3; i++) {
      const scan = await scanner.scan(SPAM);
      expect(scan.symbols[refusedSymbol(gen)]).toBeDefined();
      expect(scan.symbols.FUZZY_DENIED).toBeUndefined();
    }
    const refused = await scanner.fuzzyAdd(PHISHING, 1, 10).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RspamdHttpError);
    expect((refused as RspamdHttpError).status).toBe(refusedLearnStatus(gen));
  });

  it('enabled again over REST: its scans hit again', async () => {
    expect((await api('PATCH', `/keys/${created.key.id}`, { disabled: false })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await scanner.scan(SPAM)).symbols.FUZZY_DENIED).toBeDefined();
    const { hashes } = await scanner.fuzzyAdd(PHISHING, 1, 10);
    expect(hashes).toHaveLength(1);
  });
});
