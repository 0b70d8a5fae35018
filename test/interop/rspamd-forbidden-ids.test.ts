/**
 * `forbidden_ids` seen through real rspamd scanners (docs/spec/access-controls.md §6.2): a hash stored under a
 * forbidden flag is a miss for every client, the learn itself still succeeds, and a 4.x multi-flag hit loses only the
 * forbidden slot (on the Redis backend, where rspamd's 4.x worker keeps several flags). With FUZZYD_INTEROP_TARGET=rspamd the same assertions run against the generation's own worker (3.4
 * has no forbidden_ids, so it runs against fuzzyd only).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skippedHere } from '../helpers/generation-suite.js';
import { type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { RSPAMD_GENERATIONS } from '../helpers/rspamd-generation.js';
import { interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const PHISHING = join(MESSAGES, 'phishing-bank.eml');
const INVOICE = join(MESSAGES, 'invoice-attachment.eml');
/** FUZZY_PROB in the scanner's fuzzy_map (rspamd-instance.ts DEFAULT_FUZZY_FLAGS). */
const FORBIDDEN = 2;

describe.each(RSPAMD_GENERATIONS)('rspamd $version scanner with forbidden_ids', (gen) => {
  if (skippedHere(gen)) return;
  if (interopTarget() === 'rspamd' && gen.version.startsWith('3.4')) {
    it.skip('skipped: rspamd 3.4 has no forbidden_ids (3.6+)', () => undefined);
    return;
  }
  let storage: StorageUnderTest;
  let scanner: RspamdScanner;
  const multiFlag = Number(gen.version.split('.')[0]) >= 4;

  beforeAll(async () => {
    // Redis: rspamd's SQLite backend keeps one flag per digest, so only its Redis backend has 4.x's multi-flag hits.
    storage = await startStorageUnderTest({ generation: gen, backend: 'redis', forbiddenIds: [FORBIDDEN] });
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${storage.udpPort}` });
  }, 120_000);
  afterAll(async () => {
    await scanner?.stop();
    await storage?.stop();
  });

  it('a hash under a forbidden flag is learned but never reported', async () => {
    const { hashes } = await scanner.fuzzyAdd(PHISHING, FORBIDDEN, 10);
    expect(hashes.length).toBeGreaterThan(0);
    await storage.settle();
    const scan = await scanner.scan(PHISHING);
    expect(scan.symbols.FUZZY_PROB).toBeUndefined();
    expect(scan.symbols.FUZZY_DENIED).toBeUndefined();
  });

  it(multiFlag ? 'a multi-flag hit keeps its allowed flag and loses the forbidden one' : 'an allowed flag is reported as usual', async () => {
    await scanner.fuzzyAdd(INVOICE, 1, 10);
    if (multiFlag) await scanner.fuzzyAdd(INVOICE, FORBIDDEN, 20);
    await storage.settle();
    const scan = await scanner.scan(INVOICE);
    expect(scan.symbols.FUZZY_DENIED).toBeDefined();
    expect(scan.symbols.FUZZY_PROB).toBeUndefined();
  });
});
