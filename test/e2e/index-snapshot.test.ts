/**
 * The index snapshot: saved at a clean shutdown, mapped back in at the next start for that very store file only.
 * A real fuzzyd process on a real file; the store is changed behind its back with SQLite as rspamd would, the
 * snapshot is damaged on disk, and fuzzyd is killed with -9. Whatever happens, CHECK answers what the file holds.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { snapshotPathOf } from '../../server/src/fuzzy/sqlite/index/index-snapshot.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('fuzzyd-snapshot-');
const dbPath = dir.file('fuzzy.db');
const stored: { digest: Buffer; value: number; shingles: bigint[] | null }[] = [];
let fuzzyd: FuzzydProcess | undefined;

afterAll(async () => {
  await fuzzyd?.kill9();
  dir.remove();
});

interface Loaded {
  source: string;
  snapshot: string;
  hashes: number;
}

async function start(): Promise<Loaded> {
  fuzzyd = await startFuzzyd({ FUZZYD_DB: dbPath });
  const line = fuzzyd.logs().find((l) => l.includes('"msg":"store loaded"'));
  return JSON.parse(line!) as Loaded;
}

async function withClient<T>(work: (c: FuzzyClient) => Promise<T>): Promise<T> {
  const client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd!.udpPort, timeoutMs: 2000, retries: 2 });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** Every stored hash answers with its weight, and a shingled one is found by its shingles alone. */
async function expectAllServed(): Promise<void> {
  await withClient(async (c) => {
    for (const h of stored) {
      const direct = await c.check(h.digest);
      expect({ prob: direct.prob, value: direct.value }).toEqual({ prob: 1, value: h.value });
      if (h.shingles) expect((await c.check(randomDigest(), h.shingles)).digest.equals(h.digest)).toBe(true);
    }
  });
}

async function writeSome(n: number): Promise<void> {
  await withClient(async (c) => {
    for (let i = 0; i < n; i++) {
      const digest = randomDigest();
      const shingles = i % 2 ? randomShingles().toBigInts() : null;
      const value = 1 + (i % 50);
      expect((await c.write(digest, 1, value, shingles)).prob).toBe(1);
      stored.push({ digest, value, shingles });
    }
  });
}

describe('index snapshot', () => {
  it('a clean restart maps the index in from the snapshot and serves every hash', async () => {
    expect((await start()).snapshot).toBe('no snapshot');
    await writeSome(400);
    await fuzzyd!.stop();
    expect(fuzzyd!.logs().some((l) => /index snapshot saved: [\d.]+ MB/.test(l))).toBe(true);

    const loaded = await start();
    expect(loaded).toMatchObject({ source: 'snapshot', snapshot: 'used', hashes: 400 });
    await expectAllServed();
    // Written after a start from the snapshot, and served after the next one.
    await writeSome(100);
    await fuzzyd!.stop();
    expect(await start()).toMatchObject({ source: 'snapshot', hashes: 500 });
    await expectAllServed();
    await fuzzyd!.stop();
  });

  it('a store written by someone else since is indexed from its tables, with their rows', async () => {
    const digest = randomBytes(64);
    const db = openFuzzyDatabase(dbPath, { durability: 'normal' });
    db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (1, ?, 77, ?)').run(digest, Math.floor(Date.now() / 1000));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    stored.push({ digest, value: 77, shingles: null });

    expect(await start()).toMatchObject({ source: 'sqlite', snapshot: 'the store changed since the snapshot was taken', hashes: 501 });
    await expectAllServed();
    await fuzzyd!.stop();
  });

  it('a damaged snapshot is refused by its checksum', async () => {
    const path = snapshotPathOf(dbPath);
    const fd = openSync(path, 'r+');
    const at = statSync(path).size - 1000;
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0] ^= 0xff;
    writeSync(fd, byte, 0, 1, at);
    closeSync(fd);

    expect((await start()).snapshot).toMatch(/^the snapshot is damaged \(buffer \d+ fails its CRC\)$/);
    await expectAllServed();
  });

  it('after kill -9 with writes since the start, the index is rebuilt and holds them', async () => {
    await writeSome(50);
    await fuzzyd!.kill9();
    expect(await start()).toMatchObject({ source: 'sqlite', hashes: stored.length });
    await expectAllServed();
    await fuzzyd!.stop();
  });
});
