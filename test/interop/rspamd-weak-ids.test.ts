/**
 * `weak_ids` through real rspamd scanners (docs/spec/access-controls.md §6.3): a learn under a weak flag never
 * displaces the flag a hash already has. A 3.x client's weak learn adds its weight to the stored flag (rspamd 3.x's
 * Redis HSETNX + HINCRBY) where a strong one re-flags; a 4.x client's takes a free slot like any new flag, but with
 * all eight slots taken it evicts nothing, where a strong learn with a larger weight replaces the lowest slot.
 *
 * Redis backend: rspamd's SQLite backend ignores the weak bit and keeps one flag. With FUZZYD_INTEROP_TARGET=rspamd
 * the same assertions run against each generation's own worker (3.4 has no weak_ids, 3.6+; skipped there).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skippedHere } from '../helpers/generation-suite.js';
import { DEFAULT_FUZZY_FLAGS, type RspamdScanner, type ScanResult, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { RSPAMD_GENERATIONS } from '../helpers/rspamd-generation.js';
import { interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const PHISHING = join(MESSAGES, 'phishing-bank.eml');
const NEWSLETTER = join(MESSAGES, 'newsletter-whitelist.eml');
/** Flags 1–3 as stock; 4–10 get symbols of their own so a 4.x hash can show all eight slots and a ninth flag. */
const FLAGS: Record<number, string> = { ...DEFAULT_FUZZY_FLAGS };
for (let f = 4; f <= 10; f++) FLAGS[f] = `FUZZY_F${f}`;
/** FUZZY_PROB (2) and FUZZY_F9 are weak. */
const WEAK = [2, 9];

const fuzzySymbols = (scan: ScanResult): string[] => Object.keys(scan.symbols).filter((s) => s.startsWith('FUZZY_')).sort();

describe.each(RSPAMD_GENERATIONS)('rspamd $version scanner against a storage with weak_ids', (gen) => {
  if (skippedHere(gen)) return;
  if (interopTarget() === 'rspamd' && gen.version.startsWith('3.4')) {
    it.skip('skipped: rspamd 3.4 has no weak_ids (3.6+)', () => undefined);
    return;
  }
  let storage: StorageUnderTest;
  let scanner: RspamdScanner;
  const learn = async (path: string, flag: number, weight: number): Promise<void> => {
    await scanner.fuzzyAdd(path, flag, weight);
    await storage.settle();
  };

  beforeAll(async () => {
    storage = await startStorageUnderTest({ generation: gen, backend: 'redis', weakIds: WEAK });
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${storage.udpPort}`, flags: FLAGS });
  }, 120_000);
  afterAll(async () => {
    await scanner?.stop();
    await storage?.stop();
  });

  it(gen.multiFlag ? 'a weak learn takes a free slot beside the stored flag' : 'a weak learn keeps the stored flag and adds its weight', async () => {
    await learn(SPAM, 1, 5);
    const before = (await scanner.scan(SPAM)).symbols.FUZZY_DENIED?.score ?? 0;
    await learn(SPAM, 2, 10);
    const scan = await scanner.scan(SPAM);
    if (gen.multiFlag) {
      expect(fuzzySymbols(scan)).toEqual(['FUZZY_DENIED', 'FUZZY_PROB']);
    } else {
      expect(fuzzySymbols(scan)).toEqual(['FUZZY_DENIED']);
      // Value 5 + 10 under flag 1 scores higher than 5 did.
      expect(scan.symbols.FUZZY_DENIED.score).toBeGreaterThan(before);
    }
  });

  it(gen.multiFlag ? 'a strong learn of another flag takes a free slot too' : 'a strong learn of another flag re-flags', async () => {
    await learn(PHISHING, 1, 5);
    await learn(PHISHING, 3, 10);
    expect(fuzzySymbols(await scanner.scan(PHISHING))).toEqual(gen.multiFlag ? ['FUZZY_DENIED', 'FUZZY_WHITE'] : ['FUZZY_WHITE']);
  });

  it.runIf(gen.multiFlag)('with all eight slots taken, a weak learn evicts nothing and a strong one replaces the lowest', async () => {
    // Flags 1..8 with weights 10..17: flag 1 holds the lowest.
    for (let flag = 1; flag <= 8; flag++) await scanner.fuzzyAdd(NEWSLETTER, flag, 9 + flag);
    await storage.settle();
    const eight = [1, 2, 3, 4, 5, 6, 7, 8].map((f) => FLAGS[f]).sort();
    expect(fuzzySymbols(await scanner.scan(NEWSLETTER))).toEqual(eight);
    await learn(NEWSLETTER, 9, 100);
    expect(fuzzySymbols(await scanner.scan(NEWSLETTER))).toEqual(eight);
    await learn(NEWSLETTER, 10, 100);
    expect(fuzzySymbols(await scanner.scan(NEWSLETTER))).toEqual([2, 3, 4, 5, 6, 7, 8, 10].map((f) => FLAGS[f]).sort());
  });
});
