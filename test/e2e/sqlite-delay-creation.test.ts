/**
 * rspamd's `delay` on the SQLite store counts from a hash's first write, kept in fuzzyd_digest_created, while the
 * reply's ts and expiry keep the last write (docs/spec/access-controls.md §5). A real file, the real store with its
 * writer thread, snapshot and rebuild, and the same CheckReplyRules the UDP plane shapes replies with. "An hour ago"
 * is made by moving the file's times back while no store has it open, as an hour passing would have left them.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckResult, UpdateOp } from '../../server/src/fuzzy/fuzzy-backend.js';
import { FuzzyIndex } from '../../server/src/fuzzy/memory/fuzzy-index.js';
import { SqliteCheck } from '../../server/src/fuzzy/sqlite/index/sqlite-check.js';
import { SqliteBackend } from '../../server/src/fuzzy/sqlite/sqlite-backend.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { CheckReplyRules } from '../../server/src/udp/check-reply-rules.js';
import { randomDigest } from '../helpers/fuzzy-data.js';
import { tempDir } from '../helpers/temp-dir.js';

const EXPIRE = 30 * 86_400;
const HOUR = 3600;
/** delay 600 s; the source is outside any whitelist. */
const rules = new CheckReplyRules({ forbiddenIds: [], delaySeconds: 600, delayWhitelist: [] });
const OUTSIDE = '192.0.2.1';
const shown = (r: CheckResult): boolean => rules.shape(r, null, OUTSIDE).prob > 0;
const now = (): number => Math.floor(Date.now() / 1000);
const write = (digest: Buffer, value = 10): UpdateOp => ({ kind: 'write', rule: 'single', digest, flag: 1, value, shingles: null });

const dir = tempDir('fuzzyd-delay-created-');
const stores: SqliteBackend[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  dir.remove();
});

async function open(path: string, indexSnapshot = true): Promise<{ store: SqliteBackend; source: string }> {
  const store = await SqliteBackend.open({ dbPath: path, durability: 'normal', expireSeconds: EXPIRE, indexSnapshot, integrityCheck: false });
  stores.push(store);
  const { source } = await store.indexed;
  return { store, source };
}

async function close(store: SqliteBackend): Promise<void> {
  stores.splice(stores.indexOf(store), 1);
  await store.close();
}

/** Moves every stored time, first and last writes alike, `seconds` into the past (the store must be closed). */
function age(path: string, seconds: number): void {
  const db = new Database(path);
  try {
    db.prepare('UPDATE digests SET time = time - ?').run(seconds);
    db.prepare('UPDATE fuzzyd_digest_created SET created = created - ?').run(seconds);
  } finally {
    db.close();
  }
}

function createdRecords(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db
      .prepare('SELECT hex(CAST(d.digest AS BLOB)) AS digest, c.created FROM fuzzyd_digest_created c JOIN digests d ON d.id = c.digest_id')
      .all() as { digest: string; created: number }[];
    return new Map(rows.map((r) => [r.digest.toLowerCase(), r.created]));
  } finally {
    db.close();
  }
}

describe('delay on the SQLite store counts from the first write', () => {
  it('a hash learned again within the delay stays shown, a fresh one is hidden, across restarts with and without a snapshot', async () => {
    const path = dir.file('fuzzy.db');
    const old = randomDigest();
    let { store } = await open(path);
    await store.update(write(old));
    await close(store);
    age(path, HOUR);

    ({ store } = await open(path));
    expect(shown(await store.check(old, null))).toBe(true);
    // Learned again now: the reply's ts is this write, the delay still counts from an hour ago.
    const before = now();
    await store.update(write(old, 20));
    const relearned = await store.check(old, null);
    expect(relearned.ts).toBeGreaterThanOrEqual(before);
    expect(relearned.created).toBeLessThanOrEqual(before - HOUR);
    expect(shown(relearned)).toBe(true);
    const fresh = randomDigest();
    await store.update(write(fresh));
    expect(shown(await store.check(fresh, null))).toBe(false);
    const created = { old: relearned.created, fresh: (await store.check(fresh, null)).created };
    await close(store);

    let source: string;
    ({ store, source } = await open(path));
    expect(source).toBe('snapshot');
    expect((await store.check(old, null)).created).toBe(created.old);
    expect((await store.check(fresh, null)).created).toBe(created.fresh);
    await close(store);

    ({ store, source } = await open(path, false));
    expect(source).not.toBe('snapshot');
    expect((await store.check(old, null)).created).toBe(created.old);
    expect((await store.check(fresh, null)).created).toBe(created.fresh);
    expect(shown(await store.check(old, null))).toBe(true);
    expect(shown(await store.check(fresh, null))).toBe(false);
  });

  it("a row rspamd's own worker wrote takes its time as first write, also while the index loads, and keeps it once fuzzyd rewrites it", async () => {
    const path = dir.file('fuzzy.db');
    const digest = randomDigest();
    const learned = now() - HOUR;
    const db = openFuzzyDatabase(path, { durability: 'normal' });
    db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (1, CAST(? AS TEXT), 10, ?)').run(digest, learned);
    db.close();

    const { store } = await open(path, false);
    expect(await store.check(digest, null)).toMatchObject({ prob: 1, ts: learned, created: learned });
    await store.update(write(digest, 5));
    const relearned = await store.check(digest, null);
    expect(relearned).toMatchObject({ value: 15, created: learned });
    expect(relearned.ts).toBeGreaterThan(learned);
    expect(shown(relearned)).toBe(true);
    await close(store);
    expect(createdRecords(path).get(digest.toString('hex'))).toBe(learned);

    // The path that answers from the tables while the index is rebuilt reads the same first write.
    const readDb = new Database(path, { readonly: true });
    try {
      const tables = new SqliteCheck(readDb, EXPIRE, new FuzzyIndex(EXPIRE), new Set());
      expect(tables.check(digest, null, now())).toMatchObject({ prob: 1, value: 15, created: learned });
      expect(tables.check(digest, null, now()).ts).toBeGreaterThan(learned);
    } finally {
      readDb.close();
    }
  });

  it('a delete or an expiry purge drops the first write: the hash written again is a new one', async () => {
    const path = dir.file('fuzzy.db');
    const [deleted, expired] = [randomDigest(), randomDigest()];
    let { store } = await open(path);
    await store.update(write(deleted));
    await store.update(write(expired));
    await close(store);
    age(path, HOUR);

    ({ store } = await open(path));
    expect(shown(await store.check(deleted, null))).toBe(true);
    await store.update({ kind: 'del', digest: deleted });
    await store.update(write(deleted));
    expect(shown(await store.check(deleted, null))).toBe(false);
    // Purged as of a day past its expiry; written again, it is new.
    expect(await store.purgeExpired(now() + EXPIRE + 86_400)).toBe(2);
    expect(createdRecords(path).size).toBe(0);
    await store.update(write(expired));
    const back = await store.check(expired, null);
    expect(back.created).toBeGreaterThanOrEqual(now() - 5);
    expect(shown(back)).toBe(false);
  });
});
