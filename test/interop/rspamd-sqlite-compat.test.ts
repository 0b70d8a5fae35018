/**
 * fuzzyd and rspamd (3.4, 3.12.1, 4.1.5) share the SQLite `fuzzy.db` layout (fuzzy-storage.md §2.3): a file written by
 * rspamd's own fuzzy worker is served by fuzzyd, and a file fuzzyd wrote (and extended) is served by rspamd's worker.
 * Hashes go in and out as raw datagrams, so every stored field (digest bytes bound as TEXT, signed 64-bit shingles,
 * flag, value, time) is checked on the wire. fuzzyd's extra flag slots live in a table of its own beside rspamd's:
 * rspamd sees the primary slot, and a digest rspamd deletes takes its slots with it.
 *
 * FUZZYD_INTEROP_TARGET=rspamd puts rspamd's worker on the fuzzyd side too, to check the suite itself.
 */
import Database from 'better-sqlite3';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { Command } from '../../shared/protocol/constants.js';
import { ShingleBlock } from '../../shared/protocol/shingle-block.js';
import { mixedSignShingles, nearDuplicate, randomDigest } from '../helpers/fuzzy-data.js';
import { type RspamdFuzzyWorker, startRspamdFuzzyWorker } from '../helpers/rspamd-fuzzy-worker.js';
import { skippedHere } from '../helpers/generation-suite.js';
import { RSPAMD_GENERATIONS } from '../helpers/rspamd-generation.js';
import { copyDatabase, interopTarget, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

interface Entry {
  digest: Buffer;
  shingles: bigint[] | null;
}

function entry(withShingles: boolean): Entry {
  return { digest: randomDigest(), shingles: withShingles ? mixedSignShingles().toBigInts() : null };
}

/** `e`'s shingles with the first `changed` positions replaced by fresh random values. */
function nearShingles(e: Entry, changed: number): bigint[] {
  return e.shingles ? nearDuplicate(ShingleBlock.fromBigInts(e.shingles), changed).toBigInts() : [];
}

/** CHECK and WRITE carry a domain extension, as rspamd's scanner sends them. */
const EXTENSIONS = { domain: 'lucky-offers.example' };

function check(client: FuzzyClient, digest: Buffer, shingles?: bigint[] | null) {
  return client.send({ cmd: Command.Check, digest, shingles, extensions: EXTENSIONS });
}

function write(client: FuzzyClient, digest: Buffer, flag: number, value: number, shingles?: bigint[] | null) {
  return client.send({ cmd: Command.Write, flag, value, digest, shingles, extensions: EXTENSIONS });
}

/** The storage's hash count (3.4 carries it in `flag`). */
async function count(client: FuzzyClient): Promise<number> {
  return (await client.stat()).flag;
}

async function expectAccepted(reply: Promise<{ value: number; prob: number }>): Promise<void> {
  expect(await reply).toMatchObject({ value: 0, prob: 1 });
}

/** Shingle-vote result for 28 of 32 positions: slots/32 (fuzzyd, spec §5.3) or (slots − 1)/32 (rspamd's SQLite). */
const NEAR_28 = [27 / 32, 28 / 32];

describe.each(RSPAMD_GENERATIONS)('SQLite fuzzy.db compatibility with rspamd $version', (gen) => {
  if (skippedHere(gen)) return;
  let scratch: string;
  const started: Array<{ stop(): Promise<void> }> = [];
  const clients: FuzzyClient[] = [];

  beforeAll(async () => {
    // Under /tmp itself: a chroot's rspamd sees the host's /tmp and nothing else.
    scratch = await mkdtemp(join('/tmp', 'fuzzyd-sqlite-compat-'));
    // rspamd's worker runs as _rspamd and must get through to the database directories below.
    await chmod(scratch, 0o711);
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    for (const server of started.reverse()) await server.stop().catch(() => undefined);
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  function clientFor(port: number, version = 4): FuzzyClient {
    // One resend on silence, like rspamd's own client under test load.
    const client = new FuzzyClient({ host: '127.0.0.1', port, retries: 1, version });
    clients.push(client);
    return client;
  }

  async function rspamdWorker(dbPath?: string): Promise<RspamdFuzzyWorker> {
    const worker = await startRspamdFuzzyWorker({ generation: gen, backend: 'sqlite', dbPath, sync: '60s' });
    started.push({ stop: () => worker.remove() });
    return worker;
  }

  async function storage(dbPath: string): Promise<StorageUnderTest> {
    const server = await startStorageUnderTest({ generation: gen, dbPath });
    started.push(server);
    return server;
  }

  describe('a file written by rspamd’s fuzzy worker, served by fuzzyd', () => {
    const a = entry(true); // flag 1, learned twice: 10 + 5
    const b = entry(false); // flag 3, no shingles
    const c = entry(true); // learned, then deleted
    const d = entry(true); // flag 1, then re-flagged to 2
    let fuzzyd: StorageUnderTest;
    let client: FuzzyClient;
    let writtenFrom: number;

    beforeAll(async () => {
      writtenFrom = nowSeconds();
      const worker = await rspamdWorker();
      const writer = clientFor(worker.port);
      await expectAccepted(write(writer, a.digest, 1, 10, a.shingles));
      await expectAccepted(write(writer, b.digest, 3, 7, b.shingles));
      await expectAccepted(write(writer, c.digest, 2, 1, c.shingles));
      await expectAccepted(write(writer, d.digest, 1, 4, d.shingles));
      await worker.sync();
      await expectAccepted(write(writer, a.digest, 1, 5, a.shingles));
      await expectAccepted(writer.del(c.digest, 2));
      await expectAccepted(write(writer, d.digest, 2, 9, d.shingles));
      await worker.sync();
      // rspamd itself now holds a (15, flag 1), b (7, flag 3) and d re-flagged (SQLite resets the value: 9, flag 2).
      expect(await check(writer, a.digest, a.shingles)).toMatchObject({ value: 15, flag: 1, prob: 1 });
      expect(await count(writer)).toBe(3);
      await worker.stop();

      const copy = await copyDatabase(worker.dbPath ?? '', await mkdtemp(join(scratch, 'from-rspamd-')));
      fuzzyd = await storage(copy);
      client = clientFor(fuzzyd.udpPort);
    });

    it('answers an exact CHECK with the stored value and flag', async () => {
      expect(await check(client, a.digest, a.shingles)).toMatchObject({ value: 15, flag: 1, prob: 1 });
      expect(await check(client, b.digest)).toMatchObject({ value: 7, flag: 3, prob: 1 });
      expect(await check(client, d.digest, d.shingles)).toMatchObject({ value: 9, flag: 2, prob: 1 });
    });

    it('finds the stored digest through rspamd’s shingle rows (u64 values stored as signed integers)', async () => {
      const reply = await check(client, randomDigest(), nearShingles(a, 4));
      expect(reply).toMatchObject({ value: 15, flag: 1 });
      expect(reply.digest.equals(a.digest)).toBe(true);
      expect(NEAR_28).toContain(reply.prob);
      // rspamd stamped `time` at the write; a shingle hit reports it.
      expect(reply.ts).toBeGreaterThanOrEqual(writtenFrom);
      expect(reply.ts).toBeLessThanOrEqual(nowSeconds());
    });

    it('misses when too few shingles match', async () => {
      const reply = await check(client, randomDigest(), nearShingles(a, 20));
      expect(reply.value).toBe(0);
      expect(reply.prob).toBeLessThanOrEqual(0.5);
    });

    it('does not serve a digest rspamd deleted, nor its shingles', async () => {
      expect(await check(client, c.digest)).toMatchObject({ value: 0, prob: 0 });
      const reply = await check(client, randomDigest(), c.shingles);
      expect(reply.value).toBe(0);
      expect(reply.prob).toBeLessThanOrEqual(0.5);
    });

    it('reports rspamd’s hash count in STAT', async () => {
      expect(await count(client)).toBe(3);
    });

    it('can extend the file so that rspamd’s worker serves both its own and fuzzyd’s hashes', async () => {
      const e = entry(true);
      const writtenAt = nowSeconds();
      await expectAccepted(write(client, e.digest, 1, 3, e.shingles));
      await expectAccepted(client.del(b.digest, 3));
      await fuzzyd.settle();
      await fuzzyd.stop();

      const copy = await copyDatabase(fuzzyd.dbPath, await mkdtemp(join(scratch, 'back-to-rspamd-')));
      const worker = await rspamdWorker(copy);
      const reader = clientFor(worker.port);
      expect(await check(reader, a.digest)).toMatchObject({ value: 15, flag: 1, prob: 1 });
      expect(await check(reader, e.digest)).toMatchObject({ value: 3, flag: 1, prob: 1 });
      expect(await check(reader, b.digest)).toMatchObject({ value: 0, prob: 0 });
      const fuzzy = await check(reader, randomDigest(), e.shingles);
      expect(fuzzy.digest.equals(e.digest)).toBe(true);
      expect(fuzzy).toMatchObject({ value: 3, flag: 1, prob: 31 / 32 });
      expect(fuzzy.ts).toBeGreaterThanOrEqual(writtenAt);
      expect(await count(reader)).toBe(3);
    });
  });

  describe('a file created by fuzzyd, served by rspamd’s fuzzy worker', () => {
    const f = entry(true);
    const g = entry(false);
    const h = entry(true);
    let reader: FuzzyClient;
    let worker: RspamdFuzzyWorker;
    let writtenFrom: number;

    beforeAll(async () => {
      writtenFrom = nowSeconds();
      const dir = await mkdtemp(join(scratch, 'by-fuzzyd-'));
      const fuzzyd = await storage(join(dir, 'fuzzy.db'));
      const writer = clientFor(fuzzyd.udpPort);
      await expectAccepted(write(writer, f.digest, 1, 10, f.shingles));
      await expectAccepted(write(writer, g.digest, 3, 2, g.shingles));
      await expectAccepted(write(writer, h.digest, 2, 6, h.shingles));
      await fuzzyd.settle();
      await expectAccepted(writer.del(h.digest, 2));
      await fuzzyd.settle();
      await fuzzyd.stop();

      worker = await rspamdWorker(await copyDatabase(fuzzyd.dbPath, await mkdtemp(join(scratch, 'for-rspamd-'))));
      reader = clientFor(worker.port);
    });

    it('serves exact hits with fuzzyd’s value and flag', async () => {
      expect(await check(reader, f.digest, f.shingles)).toMatchObject({ value: 10, flag: 1, prob: 1 });
      expect(await check(reader, g.digest)).toMatchObject({ value: 2, flag: 3, prob: 1 });
    });

    it('serves shingle hits with the stored digest and fuzzyd’s write time', async () => {
      const reply = await check(reader, randomDigest(), nearShingles(f, 4));
      expect(reply.digest.equals(f.digest)).toBe(true);
      expect(reply).toMatchObject({ value: 10, flag: 1, prob: 27 / 32 });
      // rspamd checks `time` against expire in seconds; a time in milliseconds would still hit, so check it here.
      expect(reply.ts).toBeGreaterThanOrEqual(writtenFrom);
      expect(reply.ts).toBeLessThanOrEqual(nowSeconds());
    });

    it('does not serve what fuzzyd deleted, nor its shingles', async () => {
      expect(await check(reader, h.digest)).toMatchObject({ value: 0, prob: 0 });
      const reply = await check(reader, randomDigest(), h.shingles);
      expect(reply.value).toBe(0);
      // A leftover shingle row would make rspamd's SQLite vote report up to 31/32 here.
      expect(reply.prob).toBe(0);
    });

    it('counts fuzzyd’s hashes and keeps writing to the file', async () => {
      expect(await count(reader)).toBe(2);
      const i = entry(true);
      await expectAccepted(write(reader, i.digest, 2, 4, i.shingles));
      await worker.sync();
      expect(await check(reader, i.digest)).toMatchObject({ value: 4, flag: 2, prob: 1 });
      expect(await count(reader)).toBe(3);
    });
  });
  // fuzzyd's own extension of the file: rspamd's SQLite backend keeps one flag per digest, so no rspamd counterpart.
  describe.skipIf(interopTarget() === 'rspamd')('a multi-flag hash fuzzyd wrote, in a file rspamd’s worker opens', () => {
    it('rspamd serves its primary slot, and deleting the digest takes fuzzyd’s extra slots with it', async () => {
      const m = entry(true);
      const dir = await mkdtemp(join(scratch, 'multi-'));
      const fuzzyd = await storage(join(dir, 'fuzzy.db'));
      // A 4.x client: the second flag gets a slot of its own, the higher value becomes the primary one.
      const writer = clientFor(fuzzyd.udpPort, 0x14);
      await expectAccepted(write(writer, m.digest, 50, 3, m.shingles));
      await expectAccepted(write(writer, m.digest, 51, 8));
      expect(await check(writer, m.digest)).toMatchObject({ flag: 51, value: 8, extraFlags: [{ flag: 50, value: 3 }] });
      await fuzzyd.settle();
      await fuzzyd.stop();

      const copy = await copyDatabase(fuzzyd.dbPath, await mkdtemp(join(scratch, 'multi-rspamd-')));
      const worker = await rspamdWorker(copy);
      const reader = clientFor(worker.port);
      expect(await check(reader, m.digest)).toMatchObject({ value: 8, flag: 51, prob: 1 });
      await expectAccepted(reader.del(m.digest, 51));
      await worker.stop();
      const db = new Database(copy, { readonly: true });
      try {
        expect(db.prepare('SELECT count(*) AS n FROM digests').get()).toEqual({ n: 0 });
        expect(db.prepare('SELECT count(*) AS n FROM fuzzyd_extra_flags').get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
    });
  });
});
