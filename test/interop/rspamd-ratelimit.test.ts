/**
 * Rate limits through real rspamd scanners (docs/spec/access-controls.md §4.6, §9): a scanner whose source network
 * is over fuzzyd's limit gets `403, prob 0` for its CHECKs, which 3.10+ clients (3.12.1, 4.1.5) show as
 * FUZZY_RATELIMITED and 3.4 as FUZZY_BLOCKED. Loopback is exempt (rspamd ≥ 3.14), so the scanner's rule points at
 * this machine's non-loopback IPv4 address and fuzzyd listens on 0.0.0.0; without such an address this is skipped.
 *
 * fuzzyd target only: rspamd's own 4.1.5 worker would need the same non-loopback bind, which the worker helper does not
 * offer (FUZZYD_INTEROP_TARGET=rspamd skips this file).
 */
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skippedHere } from '../helpers/generation-suite.js';
import { type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { RSPAMD_GENERATIONS, type RspamdGeneration } from '../helpers/rspamd-generation.js';
import { interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const SPAM = join(fileURLToPath(new URL('./messages', import.meta.url)), 'spam-offer.eml');
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

/** 3.4–3.9 clients show a 403 CHECK as FUZZY_BLOCKED, 3.10+ as FUZZY_RATELIMITED (§9). */
function limitedSymbol(gen: RspamdGeneration): string {
  const [major, minor] = gen.version.split('.').map(Number);
  return major > 3 || minor >= 10 ? 'FUZZY_RATELIMITED' : 'FUZZY_BLOCKED';
}

describe.each(RSPAMD_GENERATIONS)('rspamd $version scanner behind a rate limit', (gen) => {
  if (skippedHere(gen)) return;
  if (interopTarget() === 'rspamd' || !external) {
    it.skip(`skipped: ${!external ? 'no non-loopback IPv4 address here' : 'fuzzyd target only'}`, () => undefined);
    return;
  }
  let storage: StorageUnderTest;
  let scanner: RspamdScanner;

  beforeAll(async () => {
    storage = await startStorageUnderTest({
      generation: gen,
      bindHost: '0.0.0.0',
      fuzzydEnv: { FUZZYD_TCP: 'false', FUZZYD_RATELIMIT_BURST: '2', FUZZYD_RATELIMIT_RATE: '0' },
    });
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `${external}:${storage.udpPort}` });
  }, 120_000);
  afterAll(async () => {
    await scanner?.stop();
    await storage?.stop();
  });

  it(`shows ${limitedSymbol(gen)} once its network is over the limit, and not before`, async () => {
    const seen: boolean[] = [];
    for (let i = 0; i < 5 && !seen.at(-1); i++) seen.push((await scanner.scan(SPAM)).symbols[limitedSymbol(gen)] !== undefined);
    expect(seen[0]).toBe(false);
    expect(seen.at(-1)).toBe(true);
  });
});
