/**
 * A real rspamd scanner and controller of every generation (3.4 on the host, 3.12.1 and 4.1.5 from their chroots),
 * whose fuzzy_check rule points at the storage under test: fuzzyd on its SQLite and on its Redis backend
 * (FUZZYD_INTEROP_TARGET=rspamd runs the same assertions against that generation's own fuzzy worker).
 * Learning goes through the controller's HTTP endpoints (/fuzzyadd, /fuzzydel, /fuzzydelhash), scans through
 * /checkv2, and one case drives the rspamc command line the way an admin would.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FUZZY_RULE_NAME,
  RspamdHttpError,
  type RspamdScanner,
  type ScanResult,
  startRspamdScanner,
} from '../helpers/rspamd-instance.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { RSPAMD_GENERATIONS } from '../helpers/rspamd-generation.js';
import {
  emptyStatCount,
  expectedScore,
  keepsSeveralFlags,
  OPTION,
  queriedDigestShown,
  refusedLearnStatus,
  replyCodesFor,
} from './generation-expectations.js';
import { type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const SPAM_VARIANT = join(MESSAGES, 'spam-offer-variant.eml');
const HAM = join(MESSAGES, 'ham-meeting.eml');
const NEWSLETTER = join(MESSAGES, 'newsletter-whitelist.eml');
const INVOICE = join(MESSAGES, 'invoice-attachment.eml');
const PHISHING = join(MESSAGES, 'phishing-bank.eml');

interface FuzzyOption {
  flag: number;
  digestPrefix: string;
  prob: number;
  kind: string;
  /** 4.1.3+: the queried digest's prefix, on a match that is not exact. */
  queriedPrefix?: string;
}

function parseOption(option: string): FuzzyOption {
  const m = OPTION.exec(option);
  if (!m) throw new Error(`not a fuzzy_check option: ${option}`);
  return { flag: Number(m[1]), digestPrefix: m[2], prob: Number(m[3]), kind: m[4], ...(m[5] ? { queriedPrefix: m[5] } : {}) };
}

function fuzzySymbols(result: ScanResult): string[] {
  return Object.keys(result.symbols).filter((name) => name.startsWith('FUZZY_'));
}

const CASES = RSPAMD_GENERATIONS.flatMap((gen) => (['sqlite', 'redis'] as const).map((backend) => ({ gen, backend })));

describe.each(CASES)('rspamd $gen.version scanner against the fuzzy storage on $backend', ({ gen, backend }) => {
  if (skippedHere(gen)) return;
  let storage: StorageUnderTest;
  let scanner: RspamdScanner;
  const storageOptions = { generation: gen, backend, replyCodes: replyCodesFor(gen) };
  const score = (weight: number, value: number, maxScore: number, prob: number): number =>
    expectedScore(gen, weight, value, maxScore, prob);

  beforeAll(async () => {
    storage = await startStorageUnderTest(storageOptions);
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${storage.udpPort}` });
  });

  afterAll(async () => {
    await scanner?.stop();
    await storage?.stop();
  });

  /** A scan whose fuzzy CHECK the storage answered: a silent storage also produces "no symbol", after a timeout. */
  async function scanAnswered(path: string): Promise<ScanResult> {
    const mark = scanner.logMark();
    const result = await scanner.scan(path);
    expect(scanner.logSince(mark)).not.toMatch(/got IO timeout|got error on IO/);
    return result;
  }

  async function learn(path: string, flag: number, weight: number): Promise<string[]> {
    const { hashes } = await scanner.fuzzyAdd(path, flag, weight);
    await storage.settle();
    return hashes;
  }

  describe('a learned spam text', () => {
    let storedDigest: string;

    beforeAll(async () => {
      const hashes = await learn(SPAM, 1, 10);
      expect(hashes).toHaveLength(1);
      storedDigest = hashes[0];
      expect(storedDigest).toMatch(/^[0-9a-f]{128}$/);
    });

    it('is reported as FUZZY_DENIED with flag 1, the stored digest prefix, prob 1.00 and its weight', async () => {
      const result = await scanAnswered(SPAM);
      expect(fuzzySymbols(result)).toEqual(['FUZZY_DENIED']);
      const symbol = result.symbols.FUZZY_DENIED;
      expect(symbol.options).toEqual([`1:${storedDigest.slice(0, 10)}:1.00:txt`]);
      // value 10 came back from the storage: 12 · tanh(e · 10 / 20).
      expect(symbol.score).toBeCloseTo(score(12, 10, 20, 1), 2);
    });

    it('matches a near-duplicate through its shingles, with prob below 1 and the stored digest', async () => {
      const result = await scanAnswered(SPAM_VARIANT);
      expect(fuzzySymbols(result)).toEqual(['FUZZY_DENIED']);
      const symbol = result.symbols.FUZZY_DENIED;
      expect(symbol.options).toHaveLength(1);
      const option = parseOption(symbol.options?.[0] ?? '');
      expect(option).toMatchObject({ flag: 1, digestPrefix: storedDigest.slice(0, 10), kind: 'txt' });
      expect(option.prob).toBeGreaterThan(0.5);
      expect(option.prob).toBeLessThan(1);
      // 4.1.3+ names the digest it asked about after the one that matched.
      expect(option.queriedPrefix !== undefined).toBe(queriedDigestShown(gen));
      expect(option.queriedPrefix).not.toBe(storedDigest.slice(0, 10));
      // A shingle hit is weighted down by its prob, so it scores below the exact hit. The printed prob is cut to two
      // decimals (rspamd's printf truncates: 30/32 shows as 0.93): the storage's is some k/32 within 0.01 of it.
      const candidates = Array.from({ length: 33 }, (_, k) => k / 32).filter((p) => Math.abs(p - option.prob) < 0.01);
      expect(candidates.some((p) => Math.abs(symbol.score - score(12, 10, 20, p)) < 0.05)).toBe(true);
      expect(symbol.score).toBeLessThan(score(12, 10, 20, 1));
    });

    it('does not match an unrelated message', async () => {
      const result = await scanAnswered(HAM);
      expect(fuzzySymbols(result)).toEqual([]);
    });

    it('is counted by the controller stat and by rspamc stat', async () => {
      const stat = await scanner.stat();
      expect(stat.fuzzyHashes).toEqual({ [FUZZY_RULE_NAME]: 1 });
      const cli = await scanner.rspamc(['stat'], 'controller');
      expect(cli.code).toBe(0);
      expect(cli.stdout).toContain(`Fuzzy hashes in storage "${FUZZY_RULE_NAME}": 1`);
    });

    it('is gone after fuzzy_del, for the message and its near-duplicate', async () => {
      const { hashes } = await scanner.fuzzyDel(SPAM, 1);
      expect(hashes).toEqual([storedDigest]);
      await storage.settle();
      expect(fuzzySymbols(await scanAnswered(SPAM))).toEqual([]);
      expect(fuzzySymbols(await scanAnswered(SPAM_VARIANT))).toEqual([]);
      expect((await scanner.stat()).fuzzyHashes[FUZZY_RULE_NAME]).toBe(emptyStatCount(gen, storage.target));
    });
  });

  it('maps flag 3 to FUZZY_WHITE with its negative weight', async () => {
    const [digest] = await learn(NEWSLETTER, 3, 2);
    const result = await scanAnswered(NEWSLETTER);
    expect(fuzzySymbols(result)).toEqual(['FUZZY_WHITE']);
    expect(result.symbols.FUZZY_WHITE.options).toEqual([`3:${digest.slice(0, 10)}:1.00:txt`]);
    expect(result.symbols.FUZZY_WHITE.score).toBeCloseTo(score(-2.1, 2, 2, 1), 2);
    await scanner.fuzzyDel(NEWSLETTER, 3);
    await storage.settle();
  });

  it('adds the weights of two learns with the same flag', async () => {
    await learn(NEWSLETTER, 2, 3);
    await learn(NEWSLETTER, 2, 4);
    const result = await scanAnswered(NEWSLETTER);
    // FUZZY_PROB: weight 5, max_score 10; the storage must answer value 3 + 4 = 7.
    expect(result.symbols.FUZZY_PROB?.score).toBeCloseTo(score(5, 7, 10, 1), 2);
    await scanner.fuzzyDel(NEWSLETTER, 2);
    await storage.settle();
  });

  it('re-learning with another flag: 3.x re-flags the digest; 4.x keeps both flags, and one fuzzy_del removes both', async () => {
    const [digest] = await learn(PHISHING, 1, 10);
    expect(fuzzySymbols(await scanAnswered(PHISHING))).toEqual(['FUZZY_DENIED']);
    await learn(PHISHING, 3, 1);
    const result = await scanAnswered(PHISHING);
    if (keepsSeveralFlags(gen, storage.target, storage.backend)) {
      // rspamd 4.x's multi-flag storage: the primary slot keeps the higher value, the other flag comes as an extra.
      expect(fuzzySymbols(result).sort()).toEqual(['FUZZY_DENIED', 'FUZZY_WHITE']);
      expect(result.symbols.FUZZY_DENIED.options).toEqual([`1:${digest.slice(0, 10)}:1.00:txt`]);
      expect(result.symbols.FUZZY_WHITE.options).toEqual([`3:${digest.slice(0, 10)}:1.00:txt`]);
      expect(result.symbols.FUZZY_DENIED.score).toBeCloseTo(score(12, 10, 20, 1), 2);
      expect(result.symbols.FUZZY_WHITE.score).toBeCloseTo(score(-2.1, 1, 2, 1), 2);
    } else {
      expect(fuzzySymbols(result)).toEqual(['FUZZY_WHITE']);
      expect(result.symbols.FUZZY_WHITE.options).toEqual([`3:${digest.slice(0, 10)}:1.00:txt`]);
    }
    await scanner.fuzzyDel(PHISHING, 3);
    await storage.settle();
    expect(fuzzySymbols(await scanAnswered(PHISHING))).toEqual([]);
  });

  it('hashes the text part and the attachment separately; fuzzy_delhash removes one of them', async () => {
    const hashes = await learn(INVOICE, 2, 5);
    expect(hashes).toHaveLength(2);
    const before = await scanAnswered(INVOICE);
    expect(fuzzySymbols(before)).toEqual(['FUZZY_PROB']);
    const options = (before.symbols.FUZZY_PROB.options ?? []).map(parseOption);
    expect(options.map((o) => o.kind).sort()).toEqual(['bin', 'txt']);
    for (const option of options) {
      expect(option).toMatchObject({ flag: 2, prob: 1 });
      expect(hashes.map((h) => h.slice(0, 10))).toContain(option.digestPrefix);
    }

    const bin = options.find((o) => o.kind === 'bin');
    const binDigest = hashes.find((h) => h.startsWith(bin?.digestPrefix ?? '-'));
    expect(binDigest).toBeDefined();
    await scanner.fuzzyDelHash(binDigest ?? '', 2);
    await storage.settle();
    const after = await scanAnswered(INVOICE);
    expect((after.symbols.FUZZY_PROB?.options ?? []).map((o) => parseOption(o).kind)).toEqual(['txt']);

    await scanner.fuzzyDel(INVOICE, 2);
    await storage.settle();
    expect(fuzzySymbols(await scanAnswered(INVOICE))).toEqual([]);
  });

  it('works through the rspamc command line: fuzzy_add, symbols, fuzzy_delhash', async () => {
    const add = await scanner.rspamc(['fuzzy_add', '-f', '1', '-w', '10', PHISHING], 'controller');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('success = true;');
    const digest = /"([0-9a-f]{128})"/.exec(add.stdout)?.[1];
    expect(digest).toBeDefined();
    await storage.settle();

    const symbols = await scanner.rspamc(['symbols', PHISHING]);
    expect(symbols.code).toBe(0);
    const line = new RegExp(`Symbol: FUZZY_DENIED \\([\\d.]+\\)\\[1:${digest?.slice(0, 10)}:1\\.00:txt\\]`);
    expect(symbols.stdout).toMatch(line);

    const del = await scanner.rspamc(['fuzzy_delhash', '-f', '1', digest ?? ''], 'controller');
    expect(del.code).toBe(0);
    await storage.settle();
    const after = await scanner.rspamc(['symbols', PHISHING]);
    expect(after.stdout).not.toContain('FUZZY_');
  });

  // Runs last: it replaces the storage behind the scanner's rule with one that refuses loopback writers.
  it(`refuses a learn from an address outside allow_update (${refusedLearnStatus(gen)}), and still answers checks`, async () => {
    const port = storage.udpPort;
    await storage.stop();
    storage = await startStorageUnderTest({ ...storageOptions, udpPort: port, allowUpdate: ['10.255.255.1/32'] });

    const refused = await scanner.fuzzyAdd(SPAM, 1, 10).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(RspamdHttpError);
    expect((refused as RspamdHttpError).status).toBe(refusedLearnStatus(gen));

    const cli = await scanner.rspamc(['fuzzy_add', '-f', '1', '-w', '10', SPAM], 'controller');
    expect(cli.code).not.toBe(0);
    expect(cli.stdout + cli.stderr).toContain(String(refusedLearnStatus(gen)));

    await storage.settle();
    expect(fuzzySymbols(await scanAnswered(SPAM))).toEqual([]);
    expect((await scanner.stat()).fuzzyHashes[FUZZY_RULE_NAME]).toBe(emptyStatCount(gen, storage.target));
  });
});
