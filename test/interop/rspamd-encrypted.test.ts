/**
 * rspamd 3.4's fuzzy_check with `encryption_key` (fuzzy-protocol.md §4.4, §9) against the storage under test running
 * with a keypair and `encrypted_only`: learn and check go through encrypted UDP, while a plaintext rule is refused.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RspamdHttpError,
  type RspamdScanner,
  rspamdAvailable,
  startRspamdScanner,
} from '../helpers/rspamd-instance.js';
import { rspamdKeypair } from '../helpers/rspamd-fuzzy-worker.js';
import { type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const SPAM_VARIANT = join(MESSAGES, 'spam-offer-variant.eml');

describe.skipIf(!rspamdAvailable())('rspamd 3.4 scanner with an encrypted fuzzy rule (needs /usr/bin/rspamd)', () => {
  let storage: StorageUnderTest;
  let encrypted: RspamdScanner;
  let plain: RspamdScanner;

  beforeAll(async () => {
    const keypair = await rspamdKeypair();
    storage = await startStorageUnderTest({ keypair, encryptedOnly: true });
    const fuzzyServer = `127.0.0.1:${storage.udpPort}`;
    [encrypted, plain] = await Promise.all([
      startRspamdScanner({ fuzzyServer, encryptionKey: keypair.pubkey }),
      startRspamdScanner({ fuzzyServer }),
    ]);
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
    expect(option).toMatch(new RegExp(`^1:${hashes[0].slice(0, 10)}:0\\.\\d\\d:txt$`));
  });

  it('answers a plaintext rule with 403: FUZZY_BLOCKED on scan, HTTP 403 on learn', async () => {
    const scan = await plain.scan(SPAM);
    expect(scan.symbols.FUZZY_BLOCKED).toBeDefined();
    expect(scan.symbols.FUZZY_DENIED).toBeUndefined();

    const refused = await plain.fuzzyAdd(SPAM_VARIANT, 1, 10).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RspamdHttpError);
    expect((refused as RspamdHttpError).status).toBe(403);
  });
});
