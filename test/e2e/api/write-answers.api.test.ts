import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HashItem, HashPage, HashWriteResult } from '../../../shared/api/api-types.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { type TestFuzzyd, hexDigest, startApi } from './api-harness.js';

/**
 * POST and PATCH answer from the update's own result, without waiting for the SQLite journal to reach rspamd's
 * tables: the answer must still be what a read of the stored hash shows, shingle count included, whether the hash's
 * row is still in the journal or already in the tables.
 */

const shingleStrings = (): string[] => Array.from({ length: 32 }, () => randomBytes(8).readBigUInt64LE().toString());

async function json<T>(api: TestFuzzyd, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await api.request(method, url, body === undefined ? {} : { body });
  return { status: r.statusCode, body: JSON.parse(r.body) as T };
}

describe('SQLite backend', () => {
  let api: TestFuzzyd;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => {
    await api?.close();
  });
  const listed = async (digest: string): Promise<HashItem> =>
    (await json<HashPage>(api, 'GET', `/api/v1/hashes?prefix=${digest}`)).body.items[0];
  const journalApplied = (): Promise<void> => api.runtime.backend.catalogue!.settle();

  it('a hash written with shingles answers 32 at every later write and patch, journaled or applied, as a listing shows it', async () => {
    const digest = hexDigest();
    const added = await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 1, value: 5, shingles: shingleStrings() });
    expect(added).toMatchObject({ status: 201, body: { status: 'added', hash: { digest, flag: 1, value: 5, shingles: 32 } } });
    // At once: the hash's row is most likely still in the journal.
    const again = await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 2, value: 9 });
    expect(again.body).toMatchObject({ status: 'reflagged', hash: { flag: 2, value: 9, shingles: 32 } });
    expect(await listed(digest)).toEqual(again.body.hash);
    await journalApplied();
    // Now from the row in rspamd's tables.
    const later = await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 1, value: 1 });
    expect(later.body).toMatchObject({ status: 'updated', hash: { flag: 2, value: 9, shingles: 32 } });
    const patched = await json<HashItem>(api, 'PATCH', `/api/v1/hashes/${digest}`, { value: 3 });
    expect(patched.body).toMatchObject({ flag: 2, value: 3, shingles: 32 });
    expect(await listed(digest)).toEqual(patched.body);
  });

  it('a hash written without shingles answers 0 throughout, and a re-added one the shingles of its new write', async () => {
    const digest = hexDigest();
    expect((await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 1, value: 1 })).body.hash.shingles).toBe(0);
    expect((await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 1, value: 1 })).body.hash.shingles).toBe(0);
    await journalApplied();
    const patched = await json<HashItem>(api, 'PATCH', `/api/v1/hashes/${digest}`, { value: 4 });
    expect(patched.body).toMatchObject({ value: 4, shingles: 0 });
    expect(await listed(digest)).toEqual(patched.body);
    // Deleted and added again with shingles while the old row is still in the tables: the journal's add counts.
    expect((await api.request('DELETE', `/api/v1/hashes/${digest}`)).statusCode).toBe(204);
    const readded = await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 3, value: 2, shingles: shingleStrings() });
    expect(readded.body).toMatchObject({ status: 'added', hash: { shingles: 32 } });
    const patchedAgain = await json<HashItem>(api, 'PATCH', `/api/v1/hashes/${digest}`, { value: 6 });
    expect(patchedAgain.body).toMatchObject({ flag: 3, value: 6, shingles: 32 });
    expect(await listed(digest)).toEqual(patchedAgain.body);
  });
});

describe('Redis backend', () => {
  let redis: TestRedis;
  let api: TestFuzzyd;
  beforeAll(async () => {
    redis = await startRedisServer();
    api = await startApi({ FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url, FUZZYD_REDIS_PREFIX: `answers${Date.now()}` });
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  it('counts the shingles of the write that added the hash, and 0 for a hash that existed (its positions are not read back)', async () => {
    const digest = hexDigest();
    const added = await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 1, value: 5, shingles: shingleStrings() });
    expect(added.body).toMatchObject({ status: 'added', hash: { digest, flag: 1, value: 5, shingles: 32 } });
    const again = await json<HashWriteResult>(api, 'POST', '/api/v1/hashes', { digest, flag: 1, value: 1 });
    expect(again.body).toMatchObject({ status: 'updated', hash: { value: 6, shingles: 0 } });
    expect((await json<HashItem>(api, 'PATCH', `/api/v1/hashes/${digest}`, { value: 2 })).body).toMatchObject({ value: 2, shingles: 0 });
  });
});
