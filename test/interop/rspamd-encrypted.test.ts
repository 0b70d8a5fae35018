/**
 * fuzzy_check with `encryption_key` (fuzzy-protocol.md §4.4, §9) of every rspamd generation against the storage under
 * test running with a keypair and `encrypted_only`: learn and check go through encrypted UDP, while a plaintext rule
 * is refused with the code that generation knows. rspamd 4.1.5's encrypted scans of an outside sender carry the
 * domain, address and SENDER_FACTS (0x80) extensions (§4.3), which the storage must parse to answer at all.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RspamdHttpError, type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { rspamdKeypair } from '../helpers/rspamd-fuzzy-worker.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { RSPAMD_GENERATIONS } from '../helpers/rspamd-generation.js';
import { encryptionRefusal, replyCodesFor } from './generation-expectations.js';
import { type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const SPAM_VARIANT = join(MESSAGES, 'spam-offer-variant.eml');

describe.each(RSPAMD_GENERATIONS)('rspamd $version scanner with an encrypted fuzzy rule', (gen) => {
  if (skippedHere(gen)) return;
  const refusal = encryptionRefusal(gen);
  let storage: StorageUnderTest;
  let encrypted: RspamdScanner;
  let plain: RspamdScanner;

  beforeAll(async () => {
    const keypair = await rspamdKeypair();
    storage = await startStorageUnderTest({ generation: gen, keypair, encryptedOnly: true, replyCodes: replyCodesFor(gen) });
    const fuzzyServer = `127.0.0.1:${storage.udpPort}`;
    encrypted = await startRspamdScanner({ generation: gen, fuzzyServer, encryptionKey: keypair.pubkey });
    plain = await startRspamdScanner({ generation: gen, fuzzyServer });
  });

  afterAll(async () => {
    await encrypted?.stop();
    await plain?.stop();
    await storage?.stop();
  });

  it('learns and matches, exactly and through shingles, over encrypted UDP', async () => {
    const { hashes } = await encrypted.fuzzyAdd(SPAM, 1, 10);
    expect(hashes).toHaveLength(1);
    await storage.settle();

    const exact = await encrypted.scan(SPAM);
    expect(exact.symbols.FUZZY_DENIED?.options).toEqual([`1:${hashes[0].slice(0, 10)}:1.00:txt`]);

    const near = await encrypted.scan(SPAM_VARIANT);
    const option = near.symbols.FUZZY_DENIED?.options?.[0] ?? '';
    expect(option).toMatch(new RegExp(`^1:${hashes[0].slice(0, 10)}:0\\.\\d\\d:txt(:[0-9a-f]{10})?$`));
  });

  it(`answers a plaintext rule with ${refusal.learnStatus}: ${refusal.symbol} on scan, HTTP ${refusal.learnStatus} on learn`, async () => {
    const scan = await plain.scan(SPAM);
    expect(scan.symbols[refusal.symbol]).toBeDefined();
    expect(scan.symbols.FUZZY_DENIED).toBeUndefined();

    const refused = await plain.fuzzyAdd(SPAM_VARIANT, 1, 10).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RspamdHttpError);
    expect((refused as RspamdHttpError).status).toBe(refusal.learnStatus);
  });
});
