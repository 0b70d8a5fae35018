import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtraFlagQueries } from '../../../server/src/fuzzy/sqlite/catalogue/extra-flag-queries.js';
import { afterCursor, type DigestRange, prefixRange } from '../../../server/src/fuzzy/hash-range.js';
import { SqliteHashQueries } from '../../../server/src/fuzzy/sqlite/catalogue/sqlite-hash-queries.js';
import { createFuzzydSchema, openFuzzyDatabase } from '../../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * Both plans of the extra-slot listing against the obvious answer, on a real SQLite file laid out as the writer
 * thread leaves it (rspamd's digests table plus fuzzyd_extra_flags), with expired hashes among the holders.
 */
const N = 3000;
const EXPIRE = 1000;
const NOW = 2_000_000_000;

interface Seeded {
  id: number;
  digest: Buffer;
  flags: number[];
  expired: boolean;
}

const dir = tempDir('fuzzyd-extra-flags-');
let db: Database.Database;
let extras: ExtraFlagQueries;
let queries: SqliteHashQueries;
const seeded: Seeded[] = [];

beforeAll(() => {
  db = openFuzzyDatabase(dir.file('fuzzy.db'), { durability: 'normal' });
  createFuzzydSchema(db);
  const insert = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (?, CAST(? AS TEXT), ?, ?)');
  const insertSlot = db.prepare('INSERT INTO fuzzyd_extra_flags(digest_id, slot, flag, value) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const digest = randomBytes(64);
      const flags = [(i % 4) + 1];
      // Flag 7 in an extra slot of 1 in 97 (rare), 5 of 1 in 7, 6 of 1 in 2 (dense), 2 beside primaries 3 on 1 in 9.
      if (i % 97 === 5) flags.push(7);
      if (i % 7 === 3) flags.push(5);
      if (i % 2 === 0) flags.push(6);
      if (i % 9 === 2 && flags[0] === 3) flags.push(2);
      const expired = i % 13 === 0;
      const id = Number(insert.run(flags[0], digest, 10, expired ? NOW - EXPIRE - 5 : NOW - 5).lastInsertRowid);
      flags.slice(1).forEach((flag, slot) => insertSlot.run(id, slot + 1, flag, slot));
      seeded.push({ id, digest, flags, expired });
    }
  })();
  extras = new ExtraFlagQueries(db);
  queries = new SqliteHashQueries(db, EXPIRE);
});

afterAll(() => {
  db?.close();
  dir.remove();
});

const inRange = (d: Buffer, r: DigestRange): boolean =>
  (!r.from || (r.fromExclusive ? Buffer.compare(d, r.from) > 0 : Buffer.compare(d, r.from) >= 0)) && (!r.to || Buffer.compare(d, r.to) < 0);

function expected(flag: number, range: DigestRange, where: (s: Seeded) => boolean): Seeded[] {
  return seeded.filter((s) => !s.expired && inRange(s.digest, range) && where(s)).sort((a, b) => Buffer.compare(a.digest, b.digest));
}

/** Every page of the extra-slot query with one plan, following the last digest as the cursor. */
function walkIds(plan: 'sorted' | 'walk', flag: number, start: DigestRange, limit: number): number[] {
  const byId = new Map(seeded.map((s) => [s.id, s]));
  const out: number[] = [];
  let range = start;
  for (;;) {
    const ids = extras.ids(flag, range, NOW - EXPIRE, limit, plan) ?? [];
    out.push(...ids);
    if (ids.length < limit) return out;
    range = afterCursor(range, byId.get(ids[ids.length - 1])!.digest);
  }
}

describe('hashes holding a flag in an extra slot, in digest order', () => {
  it.each([
    ['a rare flag', 7, ''],
    ['a sparse flag', 5, ''],
    ['a dense flag', 6, ''],
    ['a flag also held as primary by others', 2, ''],
    ['a sparse flag within a prefix', 5, 'a'],
    ['a dense flag within a prefix', 6, '3c'],
  ])('%s: both plans give every unexpired holder once, in order, primary holders left out', (_name, flag, prefix) => {
    const want = expected(flag, prefixRange(prefix), (s) => s.flags.indexOf(flag) > 0).map((s) => s.id);
    expect(want.length).toBeGreaterThan(0);
    for (const limit of [5, 100]) {
      expect(walkIds('sorted', flag, prefixRange(prefix), limit), `sorted, limit ${limit}`).toEqual(want);
      expect(walkIds('walk', flag, prefixRange(prefix), limit), `walk, limit ${limit}`).toEqual(want);
    }
  });

  it('a flag no extra slot holds needs no query at all', () => {
    expect(extras.plan(1, prefixRange(''), 100)).toBeNull();
    expect(extras.ids(1, prefixRange(''), NOW - EXPIRE, 100)).toBeNull();
  });

  it('picks the walk for a dense flag or a narrow range, the sorted plan for a rare flag over everything', () => {
    expect(extras.plan(6, prefixRange(''), 100)).toBe('walk');
    expect(extras.plan(7, prefixRange(''), 10)).toBe('sorted');
    expect(extras.plan(7, prefixRange('ab'), 10)).toBe('walk');
  });

  it('neither plan scans or sorts the digests table: the walk reads index d only, the sorted plan sorts the slots it found', () => {
    const walk = extras.explain('walk', 5, afterCursor(prefixRange(''), Buffer.alloc(64, 0x40)), 100).join(' | ');
    expect(walk).toMatch(/SEARCH digests USING COVERING INDEX d/);
    expect(walk).not.toMatch(/TEMP B-TREE/);
    const sorted = extras.explain('sorted', 5, prefixRange(''), 100).join(' | ');
    expect(sorted).toMatch(/SEARCH e USING COVERING INDEX fuzzyd_extra_flags_flag \(flag=\?\)/);
    expect(sorted).toMatch(/SEARCH digests USING INTEGER PRIMARY KEY/);
    expect(`${walk} | ${sorted}`).not.toMatch(/SCAN digests/);
  });
});

describe('SqliteHashQueries pages with a flag filter', () => {
  it.each([2, 3, 5, 6, 7])('flag %i: keyset pages list every unexpired hash holding it in any slot, each with all its slots', (flag) => {
    const want = expected(flag, prefixRange(''), (s) => s.flags.includes(flag));
    const got: { id: number; flag: number; extraFlags: { flag: number }[] }[] = [];
    let range = prefixRange('');
    for (;;) {
      const rows = queries.page({ range, flag, limit: 50 }, NOW);
      got.push(...rows);
      if (rows.length < 50) break;
      range = afterCursor(range, rows[rows.length - 1].digest);
    }
    expect(got.map((r) => r.id)).toEqual(want.map((s) => s.id));
    expect(got.map((r) => [r.flag, ...r.extraFlags.map((e) => e.flag)])).toEqual(want.map((s) => s.flags));
  });
});
