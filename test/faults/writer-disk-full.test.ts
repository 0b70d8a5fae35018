/**
 * The SQLite writer on a real file system that runs out of space (a tmpfs; CI runs as root). Work that fails for lack
 * of space must leave the writer's counts as the file is (they drifted to millions while the table was empty, and the
 * shutdown drain then looped for ever), must fail instead of hanging, and must finish once space is back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteWriter } from '../../server/src/fuzzy/sqlite/writer/sqlite-writer.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { packOps } from '../../server/src/fuzzy/sqlite/writer/write-op-codec.js';
import type { UpdateOp } from '../../server/src/fuzzy/fuzzy-backend.js';
import { randomDigest, randomShingles } from '../helpers/fuzzy-data.js';

const root = process.getuid?.() === 0;
const dir = mkdtempSync('/tmp/fuzzyd-writer-full-');
let mounted = false;

function fill(): void {
  const st = statfsSync(dir);
  try {
    writeFileSync(join(dir, 'filler-big'), Buffer.alloc(Math.max(0, st.bavail * st.bsize - 16 * 1024)));
  } catch {
    // already full
  }
  for (let i = 0; i < 100; i++) {
    try {
      writeFileSync(join(dir, `filler-${i}`), Buffer.alloc(1024));
    } catch {
      return;
    }
  }
}

const rows = (db: Database.Database, table: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function shingledWrites(n: number): UpdateOp[] {
  return Array.from({ length: n }, () => ({ kind: 'write', rule: 'multi', digest: randomDigest(), flag: 1, value: 1, shingles: randomShingles() }));
}

describe.skipIf(!root)('SQLite writer when the disk fills up', () => {
  let db: Database.Database;
  let writer: SqliteWriter;

  beforeAll(() => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=12m', 'tmpfs', dir]);
    mounted = true;
    db = openFuzzyDatabase(join(dir, 'fuzzy.db'), { durability: 'full' });
    writer = new SqliteWriter(db, 'full');
  });
  afterAll(() => {
    db?.close();
    if (mounted) execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the queued-shingles and journal counts equal to the tables when moving and replaying fail', () => {
    writer.commit(packOps(shingledWrites(400)));
    writer.drainJournal();
    expect(writer.pendingShingles).toBe(400);
    writer.commit(packOps(shingledWrites(300)));
    const journaled = writer.journalSize;
    expect(journaled).toBe(300);
    fill();
    for (let i = 0; i < 20; i++) {
      expect(() => writer.movePendingShingles(50)).toThrow(/full|disk/i);
      expect(() => writer.replayJournal(50)).toThrow(/full|disk/i);
    }
    expect(writer.pendingShingles).toBe(rows(db, 'fuzzyd_pending_shingles'));
    expect(writer.journalSize).toBe(journaled);
  });

  it('fails the shutdown drains instead of looping, and a new commit is refused, not half-written', () => {
    const started = Date.now();
    expect(() => writer.drainPendingShingles()).toThrow();
    expect(() => writer.drainJournal()).toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(() => writer.commit(packOps(shingledWrites(50)))).toThrow(/full|disk/i);
    expect(writer.journalSize).toBe(300);
    expect(rows(db, 'fuzzyd_write_journal')).toBe(1);
  });

  it('finishes everything once space is back', () => {
    execFileSync('/bin/sh', ['-c', `rm -f ${dir}/filler-*`]);
    writer.drainJournal();
    writer.drainPendingShingles();
    expect(rows(db, 'fuzzyd_write_journal')).toBe(0);
    expect(rows(db, 'fuzzyd_pending_shingles')).toBe(0);
    expect(rows(db, 'digests')).toBe(700);
    expect(rows(db, 'shingles')).toBe(700 * 32);
    expect(writer.pendingShingles).toBe(0);
  });
});
