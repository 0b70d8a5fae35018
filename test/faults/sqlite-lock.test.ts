/**
 * Another process holding the SQLite write lock (`BEGIN EXCLUSIVE` from a second connection, as an admin running a
 * long sqlite3 session would): fuzzyd keeps answering CHECKs, refuses (never acknowledges) writes it cannot commit,
 * answers admin listings and /health with a 503 that says why instead of hanging, and recovers when the lock goes.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import type { SqliteBackend } from '../../server/src/fuzzy/sqlite/sqlite-backend.js';
import { randomDigest } from '../helpers/fuzzy-data.js';
import { type TestFuzzyd, startApi } from '../e2e/api/api-harness.js';

let api: TestFuzzyd;
let client: FuzzyClient;
let locker: Database.Database;
const stored = randomDigest();

beforeAll(async () => {
  api = await startApi();
  client = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, timeoutMs: 8000, retries: 0 });
  expect((await client.write(stored, 1, 5)).prob).toBe(1);
  expect((await api.request('GET', '/api/v1/hashes')).statusCode).toBe(200);
  locker = new Database(api.dbPath);
});
afterAll(async () => {
  if (locker?.inTransaction) locker.exec('ROLLBACK');
  locker?.close();
  await client?.close();
  await api?.close();
});

describe('SQLite write lock held by another connection', () => {
  it('CHECKs are answered, a WRITE is refused after the busy timeout, listings and /health answer 503 with the reason', async () => {
    locker.exec('BEGIN EXCLUSIVE');
    const write = client.write(randomDigest(), 1, 1);
    expect((await client.check(stored)).prob).toBe(1);
    // A UDP thread answers the CHECK itself but hands the WRITE to the main thread: the listing comes once the
    // writer has that commit (and waits on the lock).
    const backend = api.runtime.backend as SqliteBackend;
    while (!backend.commitInProgress) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = Date.now();
    const [listing, health] = await Promise.all([api.request('GET', '/api/v1/hashes'), api.request('GET', '/health', { token: null })]);
    expect(listing.statusCode).toBe(503);
    expect(listing.headers['content-type']).toContain('application/problem+json');
    expect(listing.json().detail).toMatch(/not applying its writes/);
    expect(health.statusCode).toBe(503);
    expect(health.json().checks.store).toMatchObject({ ok: false });
    expect(Date.now() - started).toBeLessThan(7000);
    const refused = await write;
    expect(refused.prob).toBe(0);
    expect(refused.value).not.toBe(0);
  });

  it('works again once the lock is released', async () => {
    locker.exec('ROLLBACK');
    const digest = randomDigest();
    expect((await client.write(digest, 2, 3)).prob).toBe(1);
    expect((await api.request('GET', '/api/v1/hashes')).statusCode).toBe(200);
    const health = await api.request('GET', '/health', { token: null });
    expect(health.json().checks.store).toMatchObject({ ok: true });
  });
});
