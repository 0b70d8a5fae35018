/**
 * `delay` / `delay_whitelist` through real rspamd scanners (docs/spec/access-controls.md §5): a freshly learned hash
 * is a miss for a source outside the whitelist until about 1 to 1.5 × `delay` has passed, then a hit; a whitelisted
 * source sees it at once. Two scanners of the generation share one storage: one talks to it over loopback
 * (whitelisted, and the one that learns), the other over this machine's non-loopback address (not whitelisted), so
 * the storage binds 0.0.0.0; without such an address this is skipped.
 *
 * Each backend, with each generation's scanners. Redis keeps the hash's creation time (rspamd's `C` field), which is
 * what the delay counts from; fuzzyd's SQLite store keeps it too (fuzzyd_digest_created), so both behave alike.
 * rspamd's own SQLite backend answers direct hits with ts 0, so its worker never delays them (§5): with
 * FUZZYD_INTEROP_TARGET=rspamd, where the same assertions run against each generation's own worker, a fresh hash is
 * a hit at once there.
 */
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skippedHere } from '../helpers/generation-suite.js';
import { type RspamdScanner, sleep, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { RSPAMD_GENERATIONS } from '../helpers/rspamd-generation.js';
import { type StorageUnderTest, interopTarget, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const PHISHING = join(MESSAGES, 'phishing-bank.eml');
/** Long enough that a scan right after the learn is well inside it on a loaded machine; a hit comes after 6–9 s. */
const DELAY_SECONDS = 6;
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

const BACKENDS = ['redis', 'sqlite'] as const;
const SUITES = RSPAMD_GENERATIONS.flatMap((gen) => BACKENDS.map((backend) => ({ gen, version: gen.version, backend })));

describe.each(SUITES)('rspamd $version scanners against a $backend storage with delay', ({ gen, backend }) => {
  if (skippedHere(gen)) return;
  /** rspamd's own SQLite worker: direct hits carry ts 0 and are never delayed. */
  const neverDelayed = backend === 'sqlite' && interopTarget() === 'rspamd';
  if (!external) {
    it.skip('skipped: no non-loopback IPv4 address here', () => undefined);
    return;
  }
  let storage: StorageUnderTest;
  let whitelisted: RspamdScanner;
  let delayed: RspamdScanner;

  beforeAll(async () => {
    storage = await startStorageUnderTest({
      generation: gen,
      backend,
      bindHost: '0.0.0.0',
      delay: `${DELAY_SECONDS}s`,
      delayWhitelist: ['127.0.0.1'],
      fuzzydEnv: { FUZZYD_TCP: 'false' },
    });
    [whitelisted, delayed] = await Promise.all([
      startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${storage.udpPort}` }),
      startRspamdScanner({ generation: gen, fuzzyServer: `${external}:${storage.udpPort}` }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([whitelisted?.stop(), delayed?.stop()]);
    await storage?.stop();
  });

  it('a fresh hash is a miss outside the whitelist until the delay has passed, then a hit; the whitelist sees it at once', async () => {
    const learnedAt = Date.now();
    const { hashes } = await whitelisted.fuzzyAdd(SPAM, 1, 10);
    expect(hashes).toHaveLength(1);
    await storage.settle();
    expect((await whitelisted.scan(SPAM)).symbols.FUZZY_DENIED).toBeDefined();
    if (neverDelayed) {
      expect((await delayed.scan(SPAM)).symbols.FUZZY_DENIED).toBeDefined();
      return;
    }
    expect((await delayed.scan(SPAM)).symbols.FUZZY_DENIED).toBeUndefined();
    let hitAt = 0;
    while (hitAt === 0 && Date.now() - learnedAt < 30_000) {
      if ((await delayed.scan(SPAM)).symbols.FUZZY_DENIED) hitAt = Date.now();
      else await sleep(500);
    }
    expect(hitAt).toBeGreaterThan(0);
    // The stored time is in whole seconds, so the hit may come up to a second early.
    expect(hitAt - learnedAt).toBeGreaterThanOrEqual((DELAY_SECONDS - 1) * 1000);
  }, 60_000);

  it('learning the hash again does not start its delay over: it counts from when the hash was created', async () => {
    const learnedAt = Date.now();
    await whitelisted.fuzzyAdd(PHISHING, 1, 10);
    await storage.settle();
    // Past the longest jittered threshold (1.5 × delay) and the whole-second rounding, every scan must hit.
    await sleep(DELAY_SECONDS * 1500 + 1500 - (Date.now() - learnedAt));
    expect((await delayed.scan(PHISHING)).symbols.FUZZY_DENIED).toBeDefined();
    await whitelisted.fuzzyAdd(PHISHING, 1, 5);
    await storage.settle();
    expect((await delayed.scan(PHISHING)).symbols.FUZZY_DENIED).toBeDefined();
  }, 60_000);
});
