import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHINGLE_COUNT } from '../../shared/protocol/constants.js';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import type { ShingleBlock } from '../../shared/protocol/shingle-block.js';
import type { SqliteBackend } from '../../server/src/fuzzy/sqlite/sqlite-backend.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { type TestFuzzyd, startTestFuzzyd } from '../helpers/in-process-fuzzyd.js';
import { mixedSignShingles, nearDuplicate, randomDigest } from '../helpers/fuzzy-data.js';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * A store with no snapshot (first start, a file rspamd wrote, a restart after kill -9): fuzzyd serves at once and
 * builds its index in the background, answering CHECKs from rspamd's tables plus what was committed since. Nothing
 * may look different to a client while it loads: not an existing hash, not a near-duplicate, not a write, update or
 * delete made meanwhile. Then the same answers come from the rebuilt index.
 */
/** Enough rows (a million shingle rows among them) that the rebuild takes seconds, longer than the exchanges below. */
const PLAIN_ROWS = 1_000_000;
const SHINGLED_ROWS = 30_000;
const dir = tempDir();
const dbPath = dir.file('rspamd-written.db');
const now = Math.floor(Date.now() / 1000);
const plain = Array.from({ length: 50 }, (_, i) => ({ digest: digestOfRow(i * 7919), value: 1 + ((i * 7919) % 100) }));
const shingled = Array.from({ length: SHINGLED_ROWS }, () => ({ digest: randomDigest(), shingles: mixedSignShingles() }));
let fuzzyd: TestFuzzyd;
let client: FuzzyClient;

function digestOfRow(i: number): Buffer {
  const d = Buffer.alloc(64);
  d.writeUInt32LE(i, 0);
  d.writeUInt32LE(0xb00c, 4);
  return d;
}

/** The file as rspamd leaves it: rows in its tables, no journal, no snapshot. */
function writeRspamdFile(): void {
  const db = openFuzzyDatabase(dbPath, { durability: 'normal' });
  db.pragma('synchronous = OFF');
  // Random keys into the unique shingle index one by one are slow: load without it, build it once (as the bench does).
  db.exec('DROP INDEX IF EXISTS s; DROP INDEX IF EXISTS dgst_id;');
  const digest = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (?, CAST(? AS TEXT), ?, ?)');
  const shingle = db.prepare('INSERT INTO shingles(value, number, digest_id) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < PLAIN_ROWS; i++) digest.run(1, digestOfRow(i), 1 + (i % 100), now);
    for (const s of shingled) {
      const id = digest.run(7, s.digest, 11, now).lastInsertRowid;
      for (let k = 0; k < SHINGLE_COUNT; k++) shingle.run(s.shingles.bytes.readBigInt64LE(k * 8), k, id);
    }
  })();
  db.exec('CREATE INDEX dgst_id ON shingles(digest_id); CREATE UNIQUE INDEX s ON shingles(value, number);');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

const backend = (): SqliteBackend => fuzzyd.runtime.backend as SqliteBackend;
const near = (s: ShingleBlock): bigint[] => nearDuplicate(s, 5).toBigInts();

beforeAll(async () => {
  writeRspamdFile();
  fuzzyd = await startTestFuzzyd({ FUZZYD_DB: dbPath, FUZZYD_UDP_THREADS: '2' });
  client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 2000, retries: 1 });
}, 120_000);
afterAll(async () => {
  await client.close();
  await fuzzyd.close();
  dir.remove();
});

describe('background indexing of a store without a snapshot', () => {
  const added = { digest: randomDigest(), shingles: mixedSignShingles() };
  const deleted = plain[0];
  const updated = plain[1];

  it('answers from the tables while the index loads, including what was written meanwhile', async () => {
    expect(backend().indexComplete).toBe(false);
    const health = JSON.parse((await fuzzyd.http.inject({ method: 'GET', url: '/health' })).body);
    expect(health.checks.store.detail).toContain('index loading');
    expect((await client.write(added.digest, 3, 5, added.shingles.toBigInts())).value).toBe(0);
    expect((await client.del(deleted.digest)).value).toBe(0);
    expect((await client.write(updated.digest, 1, 10)).value).toBe(0);
    expect(await client.check(added.digest)).toMatchObject({ prob: 1, flag: 3, value: 5 });
    expect(await client.check(randomDigest(), near(added.shingles))).toMatchObject({ prob: 27 / 32, flag: 3, value: 5 });
    expect((await client.check(deleted.digest)).prob).toBe(0);
    expect(await client.check(updated.digest)).toMatchObject({ prob: 1, value: updated.value + 10 });
    // All of the above happened before the index was complete: otherwise this test proved nothing.
    expect(backend().indexComplete).toBe(false);
    // From the tables, or from the index if it is complete by now: the answers must be the same either way.
    for (const p of plain.slice(2, 20)) expect(await client.check(p.digest)).toMatchObject({ prob: 1, flag: 1, value: p.value });
    for (const s of shingled.slice(0, 10)) {
      expect(await client.check(randomDigest(), near(s.shingles))).toMatchObject({ prob: 27 / 32, flag: 7, value: 11 });
    }
    expect((await client.check(randomDigest())).prob).toBe(0);
  });

  it('gives the same answers from the rebuilt index, with the writes made meanwhile replayed onto it', async () => {
    const source = await backend().indexed;
    expect(source).toMatchObject({ source: 'sqlite', hashes: PLAIN_ROWS + SHINGLED_ROWS });
    expect(backend().indexComplete).toBe(true);
    for (const p of plain.slice(2)) expect(await client.check(p.digest)).toMatchObject({ prob: 1, value: p.value });
    for (const s of shingled.slice(0, 20)) expect(await client.check(randomDigest(), near(s.shingles))).toMatchObject({ prob: 27 / 32, value: 11 });
    expect(await client.check(added.digest)).toMatchObject({ prob: 1, flag: 3, value: 5 });
    expect(await client.check(randomDigest(), near(added.shingles))).toMatchObject({ prob: 27 / 32, flag: 3, value: 5 });
    expect((await client.check(deleted.digest)).prob).toBe(0);
    expect(await client.check(updated.digest)).toMatchObject({ prob: 1, value: updated.value + 10 });
    expect((await client.stat()).flag).toBe(PLAIN_ROWS + SHINGLED_ROWS);
    // The UDP threads answer from the new index themselves again.
    const before = fuzzyd.runtime.stats.handledPerThread()[0];
    const fresh = Array.from({ length: 20 }, () => new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort }));
    await Promise.all(fresh.map((c) => c.check(randomBytes(64))));
    await Promise.all(fresh.map((c) => c.close()));
    expect(fuzzyd.runtime.stats.handledPerThread()[0]).toBe(before);
  });
});
