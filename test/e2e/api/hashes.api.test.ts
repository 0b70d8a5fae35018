import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HashDetail, HashItem, HashPage, HashWriteResult, Problem } from '../../../shared/api/api-types.js';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import { type ApiHarness, hexDigest, startApi } from './api-harness.js';

let api: ApiHarness;
/** The seeded hashes, hex, by flag. */
const seeded = new Map<string, number>();
const SEED = 1200;

beforeAll(async () => {
  api = await startApi();
  const backend = api.fuzzyd.runtime.backend;
  // Concurrent updates: the group commit batches them, so 1200 hashes take a few transactions.
  await Promise.all(
    Array.from({ length: SEED }, (_, i) => {
      const digest = randomBytes(64);
      const flag = (i % 3) + 1;
      seeded.set(digest.toString('hex'), flag);
      return backend.update({ kind: 'write', rule: 'single', digest, flag, value: i, shingles: null });
    }),
  );
});

afterAll(async () => {
  await api?.stop();
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

  it('walks one flag only with the flag filter, still complete and ordered', async () => {
    const { digests } = await walk('&flag=2', 50);
    const expected = [...seeded].filter(([, f]) => f === 2).map(([d]) => d).sort();
    expect(digests).toEqual(expected);
  });

  it('items carry digest, flag, flag name, value, time and shingle count', async () => {
    const { body } = await json<HashPage>('GET', '/api/v1/hashes?limit=1&flag=1');
    const item: HashItem = body.items[0];
    expect(item.digest).toMatch(/^[0-9a-f]{128}$/);
    expect(item).toMatchObject({ flag: 1, flagName: 'spam', shingles: 0 });
    expect(item.time).toBeGreaterThan(1_600_000_000);
    expect(typeof item.value).toBe('number');
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
  it.each([
    ['first page', { flag: null, prefix: '', cursor: null }, 'INDEX d'],
    ['after a cursor', { flag: null, prefix: '', cursor: 'ab'.repeat(64) }, 'INDEX d'],
    ['prefix', { flag: null, prefix: 'ab3', cursor: null }, 'INDEX d'],
    ['flag', { flag: 2, prefix: '', cursor: 'ab'.repeat(64) }, 'INDEX fuzzyd_digests_flag'],
    ['flag and prefix', { flag: 2, prefix: 'ff', cursor: null }, 'INDEX fuzzyd_digests_flag'],
  ])('%s walks %s in order, with no sort and no full scan', async (_name, q, index) => {
    const { HashRepository } = await import('../../../server/src/database/hash.repository.js');
    const { afterCursor, prefixRange } = await import('../../../server/src/database/hash-range.js');
    const repo = api.fuzzyd.http.get(HashRepository);
    const range = afterCursor(prefixRange(q.prefix), q.cursor ? Buffer.from(q.cursor, 'hex') : null);
    const plan = repo.queryPlan({ range, flag: q.flag, limit: 101 }).join(' | ');
    expect(plan).toContain(index);
    expect(plan).not.toMatch(/TEMP B-TREE|SCAN digests(?! USING)/);
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
    const { digests } = await walk(`&prefix=${digest.slice(0, 5).toUpperCase()}&flag=${flag}`, 500);
    expect(digests).toContain(digest);
    expect(digests.every((d) => d.startsWith(digest.slice(0, 5)) && seeded.get(d) === flag)).toBe(true);
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
  it('POST adds (201), a second POST with the same flag adds the weight (200), another flag re-flags', async () => {
    const digest = hexDigest();
    const added = await json<HashWriteResult>('POST', '/api/v1/hashes', { digest, flag: 7, value: 10 });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ status: 'added', hash: { digest, flag: 7, flagName: null, value: 10, shingles: 0 } });
    const again = await json<HashWriteResult>('POST', '/api/v1/hashes', { digest, flag: 7, value: 5 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'updated', hash: { value: 15 } });
    const reflag = await json<HashWriteResult>('POST', '/api/v1/hashes', { digest, flag: 3, value: 2 });
    expect(reflag.body).toMatchObject({ status: 'reflagged', hash: { flag: 3, flagName: 'whitelist', value: 2 } });
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
    const check = api.fuzzyd.runtime.backend.check(randomBytes(64), ShingleBlock.fromBigInts(values));
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
    expect(api.fuzzyd.runtime.backend.get(Buffer.from(digest, 'hex'))).toMatchObject({ flag: 2, value: 9 });
    expect((await api.request('DELETE', `/api/v1/hashes/${digest}`)).statusCode).toBe(204);
    expect((await api.request('DELETE', `/api/v1/hashes/${digest}`)).statusCode).toBe(404);
    expect((await json('PATCH', `/api/v1/hashes/${digest}`, { value: 1 })).status).toBe(404);
    expect((await json('GET', `/api/v1/hashes/${digest}`)).status).toBe(404);
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
