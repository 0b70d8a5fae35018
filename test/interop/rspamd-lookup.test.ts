/**
 * Message lookup against real rspamd controllers: 4.1.5 from the sid chroot computes the digests of real messages
 * through `/plugins/fuzzy/hashes` and scans them against fuzzyd (its FUZZY_* options name the stored digest a shingle
 * match found); the host's 3.4 has no such endpoint, and the lookup says rspamd >= 3.6 is needed.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LookupResult } from '../../shared/api/api-types.js';
import { startTestFuzzyd, type TestFuzzyd } from '../helpers/in-process-fuzzyd.js';
import { freeUdpPort } from '../helpers/ports.js';
import { generation, HOST_RSPAMD, type RspamdGeneration, unavailableReason } from '../helpers/rspamd-generation.js';
import { type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const SPAM_VARIANT = join(MESSAGES, 'spam-offer-variant.eml');
const PHISHING = join(MESSAGES, 'phishing-bank.eml');
const PASSWORD = 'fuzzyd-interop';

/** A scanner + controller pointed at a fuzzyd that asks that very controller for message hashes. */
async function startPair(gen: RspamdGeneration): Promise<{ fuzzyd: TestFuzzyd; scanner: RspamdScanner }> {
  const udpPort = await freeUdpPort();
  const scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${udpPort}` });
  const fuzzyd = await startTestFuzzyd({
    FUZZYD_UDP: `127.0.0.1:${udpPort}`,
    FUZZYD_TCP: 'false',
    FUZZYD_RSPAMD_CONTROLLER_URL: `http://127.0.0.1:${scanner.controllerPort}`,
    FUZZYD_RSPAMD_CONTROLLER_PASSWORD: PASSWORD,
  });
  return { fuzzyd, scanner };
}

async function lookup(fuzzyd: TestFuzzyd, path: string): Promise<LookupResult> {
  const r = await fuzzyd.request('POST', '/api/v1/lookup', { payload: await readFile(path), contentType: 'message/rfc822' });
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body) as LookupResult;
}

const gen415 = generation('4.1.5');
const skip415 = unavailableReason(gen415);

describe.skipIf(skip415 !== null)(`message lookup through rspamd 4.1.5's controller (${skip415 ?? 'sid chroot'})`, () => {
  let fuzzyd: TestFuzzyd;
  let scanner: RspamdScanner;

  beforeAll(async () => {
    ({ fuzzyd, scanner } = await startPair(gen415));
  }, 120_000);
  afterAll(async () => {
    await scanner?.stop();
    await fuzzyd?.close();
  });

  it('finds the stored hash a learned message hits exactly, with its flag, age and who added it', async () => {
    const learned = await scanner.fuzzyAdd(PHISHING, 1, 10);
    expect(learned.hashes).toHaveLength(1);
    const result = await lookup(fuzzyd, PHISHING);
    expect(result).toMatchObject({ flag: 1, controller: `http://127.0.0.1:${scanner.controllerPort}` });
    const part = result.rules[0].parts[0];
    expect(part.digest).toBe(learned.hashes[0]);
    expect(part.exact?.hash).toMatchObject({ digest: learned.hashes[0], flag: 1, value: 10, flagName: 'spam', shingles: 32 });
    expect(part.exact?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(part.exact?.history).toMatchObject([{ via: 'udp', action: 'write', outcome: 'added', actor: '127.0.0.1', flag: 1, value: 10 }]);
    expect(result.symbols).toContainEqual({ symbol: 'FUZZY_DENIED', options: [`1:${learned.hashes[0].slice(0, 10)}:1.00:txt`] });
  });

  it("names the stored hash a near-duplicate's shingles hit, with how many of the 32 positions it owns", async () => {
    const learned = await scanner.fuzzyAdd(SPAM, 2, 5);
    const result = await lookup(fuzzyd, SPAM_VARIANT);
    const part = result.rules[0].parts[0];
    expect(part.exact).toBeNull();
    expect(part.digest).not.toBe(learned.hashes[0]);
    expect(part.shingles).toHaveLength(1);
    const match = part.shingles[0];
    expect(match.hash).toMatchObject({ digest: learned.hashes[0], flag: 2, value: 5 });
    expect(match.positions).toBeGreaterThan(16);
    expect(match.positions).toBeLessThan(32);
    expect(match.probability).toBeCloseTo(match.positions / 32, 1);
    // After the stored hash is deleted, the variant no longer hits.
    expect((await fuzzyd.request('DELETE', `/api/v1/hashes/${learned.hashes[0]}`)).statusCode).toBe(204);
    expect((await scanner.scan(SPAM_VARIANT)).symbols.FUZZY_PROB).toBeUndefined();
    expect((await lookup(fuzzyd, SPAM_VARIANT)).rules[0].parts[0]).toMatchObject({ exact: null, shingles: [] });
  });

  it('refuses a request without a token, without a body, with another media type or with a bad flag', async () => {
    const eml = await readFile(PHISHING);
    expect((await fuzzyd.request('POST', '/api/v1/lookup', { payload: eml, contentType: 'message/rfc822', token: null })).statusCode).toBe(401);
    const empty = await fuzzyd.request('POST', '/api/v1/lookup', { payload: Buffer.alloc(0), contentType: 'message/rfc822' });
    expect(empty.statusCode).toBe(400);
    expect((await fuzzyd.request('POST', '/api/v1/lookup', { payload: eml.toString(), contentType: 'text/plain' })).statusCode).toBe(415);
    const badFlag = await fuzzyd.request('POST', '/api/v1/lookup?flag=256', { payload: eml, contentType: 'message/rfc822' });
    expect(badFlag.statusCode).toBe(400);
    expect(badFlag.body).toContain('flag');
    const tooLarge = await fuzzyd.request('POST', '/api/v1/lookup', { payload: Buffer.alloc(10 * 1024 * 1024 + 1, 0x41), contentType: 'message/rfc822' });
    expect(tooLarge.statusCode).toBe(413);
  });
});

const skip34 = unavailableReason(HOST_RSPAMD);

describe.skipIf(skip34 !== null)(`message lookup with rspamd 3.4's controller (${skip34 ?? 'host'})`, () => {
  it('says that rspamd >= 3.6 is needed', async () => {
    const { fuzzyd, scanner } = await startPair(HOST_RSPAMD);
    try {
      const r = await fuzzyd.request('POST', '/api/v1/lookup', { payload: await readFile(PHISHING), contentType: 'message/rfc822' });
      expect(r.statusCode).toBe(502);
      expect(r.body).toContain('rspamd >= 3.6 is needed');
    } finally {
      await scanner.stop();
      await fuzzyd.close();
    }
  }, 120_000);
});

describe('message lookup without a controller', () => {
  it('answers 501 saying what to configure', async () => {
    const fuzzyd = await startTestFuzzyd();
    try {
      const r = await fuzzyd.request('POST', '/api/v1/lookup', { payload: Buffer.from('Subject: x\r\n\r\nhello\r\n'), contentType: 'message/rfc822' });
      expect(r.statusCode).toBe(501);
      expect(r.body).toContain('FUZZYD_RSPAMD_CONTROLLER_URL');
    } finally {
      await fuzzyd.close();
    }
  });
});
