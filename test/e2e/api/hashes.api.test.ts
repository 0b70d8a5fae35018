import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HashDetail, HashItem, HashPage, HashWriteResult, Problem } from '../../../shared/api/api-types.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import { type TestFuzzyd, hexDigest, startApi } from './api-harness.js';

let api: TestFuzzyd;
/** The seeded hashes, hex, with their flags (primary first). */
const seeded = new Map<string, number[]>();
const SEED = 1200;
/** A flag only ever held in an extra slot, by a few of the seeded hashes. */
const EXTRA_ONLY = 9;
/** The names a new store gives flags 1..3. */
const NAMES: Record<number, string | null> = { 1: 'spam', 2: 'probable spam', 3: 'whitelist', [EXTRA_ONLY]: null };

beforeAll(async () => {
  api = await startApi();
  const backend = api.runtime.backend;
  // Concurrent updates: the group commit batches them, so 1200 hashes take a few transactions.
  await Promise.all(
    Array.from({ length: SEED }, (_, i) => {
      const digest = randomBytes(64);
      const flag = (i % 3) + 1;
      seeded.set(digest.toString('hex'), [flag]);
      return backend.update({ kind: 'write', rule: 'single', digest, flag, value: i, shingles: null });
    }),
  );
  // rspamd 4.x writes of other flags give every 5th hash a second slot and every 97th one with flag 9; their values
  // are below every primary's, so the primary slot stays.
  const more: Promise<unknown>[] = [];
  [...seeded].forEach(([hex, flags], i) => {
    const digest = Buffer.from(hex, 'hex');
    if (i % 5 === 0) {
      flags.push((flags[0] % 3) + 1);
      more.push(backend.update({ kind: 'write', rule: 'multi', digest, flag: flags[1], value: -5, shingles: null }));
    }
    if (i % 97 === 0) {
      flags.push(EXTRA_ONLY);
      more.push(backend.update({ kind: 'write', rule: 'multi', digest, flag: EXTRA_ONLY, value: -6, shingles: null }));
    }
  });
  await Promise.all(more);
});

afterAll(async () => {
  await api?.close();
});

async function json<T>(method: string, url: string, body?: unknown): Promise<{ status: number; body: T; type: string }> {
  const r = await api.request(method, url, body === undefined ? {} : { body });
  return { status: r.statusCode, body: r.body ? (JSON.parse(r.body) as T) : (undefined as T), type: String(r.headers['content-type']) };
}

/** Follows nextCursor until the end and returns every digest seen, in order. */
async function walk(query: string, limit: number): Promise<{ digests: string[]; pages: number }> {
  const digests: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url = `/api/v1/hashes?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const page: { status: number; body: HashPage } = await json<HashPage>('GET', url);
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeLessThanOrEqual(limit);
    digests.push(...page.body.items.map((i) => i.digest));
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor);
  return { digests, pages };
}

describe('GET /api/v1/hashes (keyset pagination)', () => {
  it('walks all ≥1000 hashes in digest order with no duplicates or gaps', async () => {
    const { digests, pages } = await walk('', 97);
    expect(pages).toBe(Math.ceil(SEED / 97));
    expect(digests).toHaveLength(SEED);
    expect(new Set(digests).size).toBe(SEED);
    expect(digests).toEqual([...seeded.keys()].sort());
  });

  const holding = (flag: number): string[] => [...seeded].filter(([, f]) => f.includes(flag)).map(([d]) => d).sort();

  it('walks the hashes holding a flag in any slot with the flag filter, complete and ordered', async () => {
    const { digests } = await walk('&flag=2', 50);
    expect(digests).toEqual(holding(2));
    // Some are there for their primary slot, some for an extra one.
    expect(digests.some((d) => seeded.get(d)![0] === 2) && digests.some((d) => seeded.get(d)![0] !== 2)).toBe(true);
  });

  it('finds a flag held only in extra slots, page by page', async () => {
    const { digests, pages } = await walk(`&flag=${EXTRA_ONLY}`, 3);
    expect(digests).toEqual(holding(EXTRA_ONLY));
    expect(pages).toBe(Math.floor(digests.length / 3) + 1);
  });

  it('the flag filter within a prefix still finds extra slots', async () => {
    for (const prefix of ['a', '3', 'f0']) {
      const { digests } = await walk(`&flag=1&prefix=${prefix}`, 4);
      expect(digests).toEqual(holding(1).filter((d) => d.startsWith(prefix)));
    }
  });

  it('items carry digest, primary flag, flag name, value, every slot, time and shingle count', async () => {
    const { body } = await json<HashPage>('GET', '/api/v1/hashes?limit=1&flag=1');
    const item: HashItem = body.items[0];
    expect(item.digest).toMatch(/^[0-9a-f]{128}$/);
    expect(item).toMatchObject({ flagName: NAMES[item.flag], shingles: 0 });
    expect(item.time).toBeGreaterThan(1_600_000_000);
    expect(typeof item.value).toBe('number');
    expect(item.flags[0]).toEqual({ flag: item.flag, value: item.value, flagName: item.flagName });
    expect(item.flags.map((f) => f.flag)).toEqual(seeded.get(item.digest));
  });

  it('a multi-flag hash lists every slot, primary first, each with its flag name', async () => {
    const [digest, flags] = [...seeded].find(([, f]) => f.length === 3)!;
    const { body } = await json<HashPage>('GET', `/api/v1/hashes?prefix=${digest}`);
    expect(body.items[0].flags).toEqual([
      { flag: flags[0], value: body.items[0].value, flagName: NAMES[flags[0]] },
      { flag: flags[1], value: -5, flagName: NAMES[flags[1]] },
      { flag: EXTRA_ONLY, value: -6, flagName: null },
    ]);
  });

  it('the last page has nextCursor null, and limit defaults to 100 and is capped at 500', async () => {
    const all = await json<HashPage>('GET', '/api/v1/hashes');
    expect(all.body.items).toHaveLength(100);
    expect((await json<HashPage>('GET', '/api/v1/hashes?limit=500')).body.items).toHaveLength(500);
    const tooMany = await json<Problem>('GET', '/api/v1/hashes?limit=501');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.field).toBe('limit');
    const last = [...seeded.keys()].sort().at(-2)!;
    const end = await json<HashPage>('GET', `/api/v1/hashes?cursor=${last}`);
    expect(end.body.items).toHaveLength(1);
    expect(end.body.nextCursor).toBeNull();
  });
});

describe('query plans (what keeps pages fast at millions of hashes)', () => {
  const planOf = async (q: { flag: number | null; prefix: string; cursor: string | null }, extraPlan?: 'sorted' | 'walk') => {
    const { afterCursor, prefixRange } = await import('../../../server/src/fuzzy/hash-range.js');
    const catalogue = api.runtime.backend.catalogue!;
    const range = afterCursor(prefixRange(q.prefix), q.cursor ? Buffer.from(q.cursor, 'hex') : null);
    return catalogue.queryPlan({ range, flag: q.flag, limit: 101 }, extraPlan);
  };

  it.each([
    ['first page', { flag: null, prefix: '', cursor: null }, 'INDEX d'],
    ['after a cursor', { flag: null, prefix: '', cursor: 'ab'.repeat(64) }, 'INDEX d'],
    ['prefix', { flag: null, prefix: 'ab3', cursor: null }, 'INDEX d'],
    ['flag', { flag: 2, prefix: '', cursor: 'ab'.repeat(64) }, 'INDEX fuzzyd_digests_flag'],
    ['flag and prefix', { flag: 2, prefix: 'ff', cursor: null }, 'INDEX fuzzyd_digests_flag'],
  ])('%s walks %s in order, with no sort and no full scan', async (_name, q, index) => {
    const [primary] = await planOf(q);
    expect(primary.part).toBe('primary');
    const plan = primary.steps.join(' | ');
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN digests(?! USING)/);
  });

  it('a flag filter adds the extra-slot query only when some hash holds the flag in an extra slot', async () => {
    expect((await planOf({ flag: 2, prefix: '', cursor: null })).map((p) => p.part)).toEqual(['primary', 'extra-sorted']);
    expect((await planOf({ flag: 7, prefix: '', cursor: null })).map((p) => p.part)).toEqual(['primary']);
    expect((await planOf({ flag: null, prefix: '', cursor: null })).map((p) => p.part)).toEqual(['primary']);
  });

  it('the extra-slot query never scans the digests table: the walk reads index d, the sorted plan the slots index', async () => {
    const walk = (await planOf({ flag: 2, prefix: '', cursor: 'ab'.repeat(64) }, 'walk'))[1];
    expect(walk.part).toBe('extra-walk');
    expect(walk.steps.join(' | ')).toMatch(/^SEARCH digests USING COVERING INDEX d .*fuzzyd_extra_flags_flag/);
    expect(walk.steps.join(' | ')).not.toMatch(/TEMP B-TREE|SCAN/);
    const sorted = (await planOf({ flag: 2, prefix: '', cursor: 'ab'.repeat(64) }, 'sorted'))[1];
    expect(sorted.steps.join(' | ')).toMatch(/^SEARCH e USING COVERING INDEX fuzzyd_extra_flags_flag \(flag=\?\) \| SEARCH digests USING INTEGER PRIMARY KEY/);
    expect(sorted.steps.join(' | ')).not.toMatch(/SCAN/);
  });
});

describe('prefix search', () => {
  const sorted = (): string[] => [...seeded.keys()].sort();

  it.each(['a', 'b7', '3c0', '0f1e', 'ff'])('prefix %s returns exactly the digests starting with it', async (prefix) => {
    const { digests } = await walk(`&prefix=${prefix}`, 7);
    expect(digests).toEqual(sorted().filter((d) => d.startsWith(prefix)));
  });

  it('a prefix taken from a stored digest finds it, combined with its flag; upper case works too', async () => {
    const [digest, flag] = [...seeded][5];
    const { digests } = await walk(`&prefix=${digest.slice(0, 5).toUpperCase()}&flag=${flag[0]}`, 500);
    expect(digests).toContain(digest);
    expect(digests.every((d) => d.startsWith(digest.slice(0, 5)) && seeded.get(d)!.includes(flag[0]))).toBe(true);
    const full = await json<HashPage>('GET', `/api/v1/hashes?prefix=${digest}`);
    expect(full.body.items.map((i) => i.digest)).toEqual([digest]);
  });

  it('rejects a prefix that is not hex', async () => {
    const r = await json<Problem>('GET', '/api/v1/hashes?prefix=xyz');
    expect(r.status).toBe(400);
    expect(r.type).toContain('application/problem+json');
    expect(r.body.detail).toMatch(/^prefix: /);
  });
});

describe('single hashes', () => {
  it('POST adds (201), a second POST with the same flag adds the weight (200), another flag adds a slot (rspamd 4.x rule)', async () => {
    const digest = hexDigest();
    const added = await json<HashWriteResult>('POST', '/api/v1/hashes', { digest, flag: 7, value: 10 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ status: 'added', hash: { digest, flag: 7, flagName: null, value: 10, shingles: 0 } });
    expect(added.body.hash.flags).toEqual([{ flag: 7, value: 10, flagName: null }]);
    const again = await json<HashWriteResult>('POST', '/api/v1/hashes', { digest, flag: 7, value: 5 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'updated', hash: { value: 15 } });
    const slot = await json<HashWriteResult>('POST', '/api/v1/hashes', { digest, flag: 3, value: 2 });
    expect(slot.status).toBe(200);
    expect(slot.body).toMatchObject({ status: 'reflagged', hash: { flag: 7, value: 15 } });
    expect(slot.body.hash.flags).toEqual([
      { flag: 7, value: 15, flagName: null },
      { flag: 3, value: 2, flagName: 'whitelist' },
    ]);
    // Once flag 3's weight is the highest, it becomes the primary slot (what rspamd 3.x clients see).
    const higher = await json<HashWriteResult>('POST', '/api/v1/hashes', { digest, flag: 3, value: 20 });
    expect(higher.body).toMatchObject({ status: 'updated', hash: { flag: 3, flagName: 'whitelist', value: 22 } });
    expect(higher.body.hash.flags.map((f) => [f.flag, f.value])).toEqual([[3, 22], [7, 15]]);
    const udp = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, timeoutMs: 500 });
    try {
      expect(await udp.check(digest)).toMatchObject({ prob: 1, flag: 3, value: 22 });
    } finally {
      await udp.close();
    }
  });

  it('GET /hashes/{digest} of a multi-flag hash lists every slot', async () => {
    const digest = hexDigest();
    await json('POST', '/api/v1/hashes', { digest, flag: 1, value: 50 });
    await json('POST', '/api/v1/hashes', { digest, flag: 2, value: 20 });
    await json('POST', '/api/v1/hashes', { digest, flag: 200, value: -1 });
    const detail = await json<HashDetail>('GET', `/api/v1/hashes/${digest}`);
    expect(detail.body).toMatchObject({ digest, flag: 1, flagName: 'spam', value: 50, shingles: [] });
    expect(detail.body.flags).toEqual([
      { flag: 1, value: 50, flagName: 'spam' },
      { flag: 2, value: 20, flagName: 'probable spam' },
      { flag: 200, value: -1, flagName: null },
    ]);
  });

  it('GET /hashes/{digest} shows the 32 shingles as decimal u64 strings in position order', async () => {
    const digest = hexDigest();
    const values = Array.from({ length: 32 }, (_, i) => (i === 0 ? 2n ** 64n - 1n : BigInt(i) * 1_000_000_007n + 2n ** 63n));
    const shingles = values.map(String);
    expect((await json('POST', '/api/v1/hashes', { digest, flag: 1, value: 1, shingles })).status).toBe(201);
    const detail = await json<HashDetail>('GET', `/api/v1/hashes/${digest.toUpperCase()}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ digest, flag: 1, flagName: 'spam', value: 1 });
    expect(detail.body.shingles).toEqual(shingles);
    const listed = await json<HashPage>('GET', `/api/v1/hashes?prefix=${digest}`);
    expect(listed.body.items[0].shingles).toBe(32);
    // The same shingles find it through the UDP plane's index (a near-duplicate CHECK).
    const check = api.runtime.backend.check(randomBytes(64), ShingleBlock.fromBigInts(values));
    expect(await check).toMatchObject({ prob: 1, flag: 1 });
  });

  it('GET of a hash without shingles shows an empty list; an unknown digest is 404 problem+json', async () => {
    const [digest] = [...seeded.keys()];
    expect((await json<HashDetail>('GET', `/api/v1/hashes/${digest}`)).body.shingles).toEqual([]);
    const missing = await json<Problem>('GET', `/api/v1/hashes/${hexDigest()}`);
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
  });

  it('PATCH sets value and/or flag absolutely; DELETE removes (204, then 404)', async () => {
    const digest = hexDigest();
    await json('POST', '/api/v1/hashes', { digest, flag: 1, value: 10 });
    const patched = await json<HashItem>('PATCH', `/api/v1/hashes/${digest}`, { value: 3 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ flag: 1, value: 3 });
    expect((await json<HashItem>('PATCH', `/api/v1/hashes/${digest}`, { flag: 2, value: 9 })).body).toMatchObject({ flag: 2, value: 9 });
    expect(api.runtime.backend.get(Buffer.from(digest, 'hex'))).toMatchObject({ flag: 2, value: 9 });
    expect((await api.request('DELETE', `/api/v1/hashes/${digest}`)).statusCode).toBe(204);
    expect((await api.request('DELETE', `/api/v1/hashes/${digest}`)).statusCode).toBe(404);
    expect((await json('PATCH', `/api/v1/hashes/${digest}`, { value: 1 })).status).toBe(404);
    expect((await json('GET', `/api/v1/hashes/${digest}`)).status).toBe(404);
  });
});

describe('PATCH /hashes/{digest} with flags', () => {
  const flagsOf = async (digest: string): Promise<[number, number][]> =>
    (await json<HashDetail>('GET', `/api/v1/hashes/${digest}`)).body.flags.map((f) => [f.flag, f.value]);

  it('replaces every slot (first = primary), keeps the time of the last write, and the UDP plane sees the new primary', async () => {
    const digest = hexDigest();
    await json('POST', '/api/v1/hashes', { digest, flag: 1, value: 10 });
    await json('POST', '/api/v1/hashes', { digest, flag: 2, value: 4 });
    const before = (await json<HashDetail>('GET', `/api/v1/hashes/${digest}`)).body;
    const patched = await json<HashItem>('PATCH', `/api/v1/hashes/${digest}`, {
      flags: [{ flag: 2, value: 3 }, { flag: 7, value: 99 }, { flag: 1, value: 10, flagName: 'spam' }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ flag: 2, flagName: 'probable spam', value: 3, time: before.time });
    expect(patched.body.flags).toEqual([
      { flag: 2, value: 3, flagName: 'probable spam' },
      { flag: 7, value: 99, flagName: null },
      { flag: 1, value: 10, flagName: 'spam' },
    ]);
    expect(api.runtime.backend.get(Buffer.from(digest, 'hex'))).toMatchObject({
      flag: 2,
      value: 3,
      extraFlags: [{ flag: 7, value: 99 }, { flag: 1, value: 10 }],
    });
    // Listed under each of its flags, with the new list.
    for (const flag of [1, 2, 7]) {
      const page = await json<HashPage>('GET', `/api/v1/hashes?prefix=${digest}&flag=${flag}`);
      expect(page.body.items.map((i) => i.flags.map((f) => f.flag))).toEqual([[2, 7, 1]]);
    }
    expect((await json<HashPage>('GET', `/api/v1/hashes?prefix=${digest}&flag=3`)).body.items).toEqual([]);

    // flag/value still edit the primary slot, keeping the others; one slot removes the rest.
    await json('PATCH', `/api/v1/hashes/${digest}`, { value: 5 });
    expect(await flagsOf(digest)).toEqual([[2, 5], [7, 99], [1, 10]]);
    await json('PATCH', `/api/v1/hashes/${digest}`, { flags: [{ flag: 1, value: 1 }] });
    expect(await flagsOf(digest)).toEqual([[1, 1]]);
    expect((await json<HashPage>('GET', `/api/v1/hashes?prefix=${digest}&flag=7`)).body.items).toEqual([]);
  });

  it('eight slots are allowed', async () => {
    const digest = hexDigest();
    await json('POST', '/api/v1/hashes', { digest, flag: 1, value: 1 });
    const flags = Array.from({ length: 8 }, (_, i) => ({ flag: 255 - i, value: i === 0 ? 2 ** 31 - 1 : -(2 ** 31) }));
    const r = await json<HashItem>('PATCH', `/api/v1/hashes/${digest}`, { flags });
    expect(r.status).toBe(200);
    expect(r.body.flags.map(({ flag, value }) => ({ flag, value }))).toEqual(flags);
  });

  const slot = (flag: number, value = 1): { flag: number; value: number } => ({ flag, value });
  const invalid: [string, unknown, string][] = [
    ['not an array', { flags: { flag: 1, value: 1 } }, 'flags'],
    ['null', { flags: null }, 'flags'],
    ['no slot', { flags: [] }, 'flags'],
    ['nine slots', { flags: Array.from({ length: 9 }, (_, i) => slot(i + 1)) }, 'flags'],
    ['a repeated flag', { flags: [slot(1), slot(2), slot(1, 5)] }, 'flags'],
    ['a slot that is not an object', { flags: [slot(1), 2] }, 'flags[1]'],
    ['a flag above 255', { flags: [slot(1), slot(256)] }, 'flags[1].flag'],
    ['a negative flag', { flags: [slot(-1)] }, 'flags[0].flag'],
    ['a flag as a string', { flags: [{ flag: '1', value: 1 }] }, 'flags[0].flag'],
    ['a missing value', { flags: [{ flag: 1 }] }, 'flags[0].value'],
    ['a value above 2^31-1', { flags: [slot(1, 2 ** 31)] }, 'flags[0].value'],
    ['a value below -2^31', { flags: [slot(1), slot(2, -(2 ** 31) - 1)] }, 'flags[1].value'],
    ['a fractional value', { flags: [slot(1, 1.5)] }, 'flags[0].value'],
    ['an unknown key in a slot', { flags: [{ flag: 1, value: 1, weight: 3 }] }, 'flags[0].weight'],
    ['flags with flag', { flags: [slot(1)], flag: 1 }, 'flags'],
    ['flags with value', { flags: [slot(1)], value: 1 }, 'flags'],
  ];

  it.each(invalid)('%s → 400 naming %s, and nothing changes', async (_name, body, field) => {
    const digest = hexDigest();
    await json('POST', '/api/v1/hashes', { digest, flag: 1, value: 10 });
    await json('POST', '/api/v1/hashes', { digest, flag: 2, value: 4 });
    const before = await json<HashDetail>('GET', `/api/v1/hashes/${digest}`);
    const r = await api.request('PATCH', `/api/v1/hashes/${digest}`, { body });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    const problem = JSON.parse(r.body) as Problem;
    expect(problem).toMatchObject({ status: 400, field });
    expect(problem.detail.startsWith(`${field}: `)).toBe(true);
    expect((await json<HashDetail>('GET', `/api/v1/hashes/${digest}`)).body).toEqual(before.body);
  });

  it('an unknown digest is 404', async () => {
    expect((await json('PATCH', `/api/v1/hashes/${hexDigest()}`, { flags: [slot(1)] })).status).toBe(404);
  });
});

describe('validation errors name the field, as problem+json, never 500', () => {
  const cases: [string, string, unknown, string][] = [
    ['POST', '/api/v1/hashes', { digest: 'abc', flag: 1, value: 1 }, 'digest'],
    ['POST', '/api/v1/hashes', { digest: 'g'.repeat(128), flag: 1, value: 1 }, 'digest'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: 256, value: 1 }, 'flag'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: -1, value: 1 }, 'flag'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: 1.5, value: 1 }, 'flag'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: '1', value: 1 }, 'flag'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: 1, value: 2 ** 31 }, 'value'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: 1 }, 'value'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: 1, value: 1, shingles: ['1'] }, 'shingles'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: 1, value: 1, shingles: Array(32).fill('18446744073709551616') }, 'shingles[0]'],
    ['POST', '/api/v1/hashes', { digest: 'a'.repeat(128), flag: 1, value: 1, flags: 2 }, 'flags'],
    ['POST', '/api/v1/hashes', [1, 2], 'body'],
    ['POST', '/api/v1/hashes', 'text', 'body'],
    ['PATCH', `/api/v1/hashes/${'a'.repeat(128)}`, {}, 'body'],
    ['PATCH', `/api/v1/hashes/${'a'.repeat(128)}`, { flag: 300 }, 'flag'],
    ['PATCH', '/api/v1/hashes/zz', { flag: 1 }, 'digest'],
    ['DELETE', '/api/v1/hashes/123', undefined, 'digest'],
    ['GET', '/api/v1/hashes/%00', undefined, 'digest'],
    ['GET', `/api/v1/hashes/${'a'.repeat(300)}`, undefined, 'digest'],
    ['GET', '/api/v1/hashes?flag=999', undefined, 'flag'],
    ['GET', '/api/v1/hashes?flag=1&flag=2', undefined, 'flag'],
    ['GET', '/api/v1/hashes?cursor=abc', undefined, 'cursor'],
    ['GET', '/api/v1/hashes?limit=0', undefined, 'limit'],
    ['GET', '/api/v1/hashes?sort=digest', undefined, 'sort'],
  ];

  it.each(cases)('%s %s %j → 400 naming %s', async (method, url, body, field) => {
    const r = await api.request(method, url, body === undefined ? {} : { body });
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    const problem = JSON.parse(r.body) as Problem;
    expect(problem).toMatchObject({ status: 400, title: 'Bad Request', field });
    expect(problem.detail.startsWith(`${field}: `)).toBe(true);
  });

  it('malformed JSON, a wrong content type and an oversized body are problems too', async () => {
    const bad = await api.request('POST', '/api/v1/hashes', { payload: '{"digest":', contentType: 'application/json' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ field: 'body' });
    const xml = await api.request('POST', '/api/v1/hashes', { payload: '<a/>', contentType: 'application/xml' });
    expect(xml.statusCode).toBe(415);
    expect(xml.headers['content-type']).toContain('application/problem+json');
    const huge = await api.request('POST', '/api/v1/hashes', {
      payload: JSON.stringify({ digest: 'a'.repeat(128), flag: 1, value: 1, pad: 'x'.repeat(2 * 1024 * 1024) }),
      contentType: 'application/json',
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.headers['content-type']).toContain('application/problem+json');
  });

  it('unknown routes are 404 problem+json', async () => {
    const r = await api.request('GET', '/api/v1/nothing');
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toContain('application/problem+json');
  });
});
