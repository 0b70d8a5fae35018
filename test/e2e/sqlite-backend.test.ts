import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../server/src/fuzzy/fuzzy-backend.js';
import { SqliteBackend } from '../../server/src/fuzzy/sqlite/sqlite-backend.js';
import { randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { tempDir } from '../helpers/temp-dir.js';

const dirs: ReturnType<typeof tempDir>[] = [];
const backends: SqliteBackend[] = [];

async function open(path?: string, expireSeconds = 86_400): Promise<SqliteBackend> {
  let dbPath = path;
  if (!dbPath) {
    const dir = tempDir();
    dirs.push(dir);
    dbPath = dir.file('fuzzy.db');
  }
  const backend = await SqliteBackend.open({ dbPath, durability: 'normal', expireSeconds });
  backends.push(backend);
  // These tests are about the index; background-index.test.ts covers the answers from the tables while it loads.
  await backend.indexed;
  return backend;
}

/** A CHECK answered by the complete index, which answers synchronously. */
function indexed(result: CheckResult | Promise<CheckResult>): CheckResult {
  if (result instanceof Promise) throw new Error('expected the index to answer, not the tables');
  return result;
}

afterEach(async () => {
  for (const b of backends.splice(0)) await b.close();
  for (const d of dirs.splice(0)) d.remove();
});

// What every backend must do is in test/contract (run against SQLite by test/contract/sqlite-backend.test.ts); these are
// the SQLite backend's own: rspamd's file format, the purge, group commits and the journal.
describe('SQLite backend: rspamd\'s file, the purge, group commits and the journal', () => {
  it('writes rspamd 3.4 storage formats: digest as TEXT bytes, signed shingle values, sources version', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = await open(dir.file('fuzzy.db'));
    const digest = randomDigest();
    const shingles = randomShingles();
    shingles.bytes.writeBigUInt64LE(0xffff_ffff_ffff_fff0n, 0);
    await store.update({ kind: 'write', rule: 'single', digest, flag: 1, value: 10, shingles });
    await store.close(); // moves the queued shingle rows into rspamd's table
    const db = new Database(dir.file('fuzzy.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT typeof(digest) AS t, CAST(digest AS BLOB) AS d FROM digests').get() as { t: string; d: Buffer };
      expect(row.t).toBe('text');
      expect(row.d.equals(digest)).toBe(true);
      const s0 = db.prepare('SELECT value FROM shingles WHERE number = 0').safeIntegers(true).get() as { value: bigint };
      expect(s0.value).toBe(-16n);
      expect((db.prepare("SELECT version FROM sources WHERE name = 'local'").get() as { version: number }).version).toBe(1);
    } finally {
      db.close();
    }
  });

  it('expired hashes miss and are purged from file and index', async () => {
    const store = await open(undefined, 60);
    const digest = randomDigest();
    await store.update({ kind: 'write', rule: 'single', digest, flag: 1, value: 1, shingles: randomShingles() });
    const future = Math.floor(Date.now() / 1000) + 120;
    expect(await store.purgeExpired(future)).toBe(1);
    expect(store.count()).toBe(0);
    const rows = (store.readDb.prepare('SELECT count(*) AS n FROM shingles').get() as { n: number }).n;
    expect(rows).toBe(0);
  });

  it('many concurrent writes are grouped and all acknowledged after commit', async () => {
    const store = await open();
    const digests = Array.from({ length: 500 }, randomDigest);
    const results = await Promise.all(digests.map((digest) => store.update({ kind: 'write', rule: 'single', digest, flag: 1, value: 1, shingles: null })));
    expect(results.every((r) => r.status === 'added')).toBe(true);
    expect(digests.every((d) => indexed(store.check(d, null)).prob === 1)).toBe(true);
    // Acknowledged means journaled; settle() waits until the journal is applied to rspamd's tables.
    await store.settle();
    expect((await store.backlog()).journalOps).toBe(0);
    expect((store.readDb.prepare('SELECT count(*) AS n FROM digests').get() as { n: number }).n).toBe(500);
    expect((store.readDb.prepare('SELECT count(*) AS n FROM fuzzyd_write_journal').get() as { n: number }).n).toBe(0);
  });

  it('results decided at acknowledgement match what applying the journal leaves in the tables, extra flags included', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const store = await open(dir.file('fuzzy.db'));
    const digests = Array.from({ length: 6 }, randomDigest);
    type Flags = { flag: number; value: number; extraFlags: { flag: number; value: number }[] };
    const expected = new Map<string, Flags | null>();
    let seed = 12345;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    // Rounds of concurrent updates: several ops on one digest land in one batch, and batches pile up in the journal.
    // Both WRITE rules and both kinds of admin edit mix on the same digests.
    for (let round = 0; round < 40; round++) {
      const ops = Array.from({ length: 12 }, () => {
        const digest = digests[next(digests.length)];
        const kind = (['write', 'write', 'write', 'write', 'del', 'set', 'set'] as const)[next(7)];
        if (kind === 'del') return { kind, digest } as const;
        if (kind === 'set' && next(2)) return { kind, digest, value: next(50) } as const;
        if (kind === 'set') return { kind, digest, flags: [{ flag: 9, value: next(9) }, { flag: 1 + next(3), value: 2 }] } as const;
        const rule = next(3) ? 'multi' : 'single';
        return { kind: 'write', digest, flag: 1 + next(10), value: 1 + next(5), shingles: next(2) ? randomShingles() : null, rule } as const;
      });
      const results = await Promise.all(ops.map((op) => store.update(op)));
      results.forEach((r, i) =>
        expected.set(ops[i].digest.toString('hex'), r.hash ? { flag: r.hash.flag, value: r.hash.value, extraFlags: [...r.hash.extraFlags] } : null),
      );
      if (round % 10 === 9) await store.settle();
    }
    expect([...expected.values()].some((f) => f && f.extraFlags.length > 1)).toBe(true);
    await store.settle();
    const read = store.readDb.prepare('SELECT id, flag, value FROM digests WHERE digest = CAST(? AS TEXT)');
    const extras = store.readDb.prepare('SELECT flag, value FROM fuzzyd_extra_flags WHERE digest_id = ? ORDER BY slot');
    const fromTables = (d: Buffer): Flags | null => {
      const row = read.get(d) as { id: number; flag: number; value: number } | undefined;
      return row ? { flag: row.flag, value: row.value, extraFlags: extras.all(row.id) as Flags['extraFlags'] } : null;
    };
    const fromIndex = (s: SqliteBackend, d: Buffer): Flags | null => {
      const h = s.get(d);
      return h ? { flag: h.flag, value: h.value, extraFlags: [...h.extraFlags] } : null;
    };
    for (const d of digests) {
      const want = expected.get(d.toString('hex')) ?? null;
      expect(fromTables(d)).toEqual(want);
      expect(fromIndex(store, d)).toEqual(want);
    }
    // The index rebuilt from the file at start-up holds the same flags.
    await store.close();
    const reopened = await open(dir.file('fuzzy.db'));
    for (const d of digests) expect(fromIndex(reopened, d)).toEqual(expected.get(d.toString('hex')) ?? null);
  });
});

describe('queued shingle rows (pending-shingles.ts)', () => {
  it('reach rspamd\'s shingles table by the time the store closes, and a DEL drops queued rows', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const path = dir.file('fuzzy.db');
    const store = await open(path);
    const kept = randomDigest();
    const dropped = randomDigest();
    await store.update({ kind: 'write', rule: 'single', digest: kept, flag: 1, value: 1, shingles: randomShingles() });
    await store.update({ kind: 'write', rule: 'single', digest: dropped, flag: 1, value: 1, shingles: randomShingles() });
    await store.update({ kind: 'del', digest: dropped });
    await store.close();
    const db = new Database(path, { readonly: true });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM shingles').get() as { n: number }).n).toBe(32);
      expect((db.prepare('SELECT count(*) AS n FROM fuzzyd_pending_shingles').get() as { n: number }).n).toBe(0);
    } finally {
      db.close();
    }
  });
});
