import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteBackend } from '../../server/src/fuzzy/sqlite/sqlite-backend.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir('fuzzyd-schema-');

afterEach(() => dir.remove());

function objects(path: string): { type: string; name: string }[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").all() as { type: string; name: string }[];
  } finally {
    db.close();
  }
}

describe("fuzzyd's own schema (sqlite-schema.ts)", () => {
  it('is made by the writer when the store opens, before anything serves, and only beside rspamd\'s layout', async () => {
    const path = dir.file('fuzzy.db');
    openFuzzyDatabase(path, { durability: 'normal' }).close();
    const rspamd = objects(path);
    expect(rspamd.map((o) => o.name)).toEqual(['d', 'dgst_id', 'digests', 's', 'shingles', 'sources', 't']);
    const store = await SqliteBackend.open({ dbPath: path, durability: 'normal', expireSeconds: 86_400, indexSnapshot: false, integrityCheck: false });
    try {
      // Before any HTTP app: the admin API's flag pages need these indexes, and the writer's journal its tables.
      const added = objects(path).filter((o) => !rspamd.some((r) => r.name === o.name));
      expect(added).toEqual([
        { type: 'table', name: 'fuzzyd_audit' },
        { type: 'index', name: 'fuzzyd_audit_actor' },
        { type: 'index', name: 'fuzzyd_audit_digest' },
        { type: 'index', name: 'fuzzyd_audit_source' },
        { type: 'table', name: 'fuzzyd_audit_staged' },
        { type: 'index', name: 'fuzzyd_audit_time' },
        { type: 'table', name: 'fuzzyd_digest_created' },
        { type: 'index', name: 'fuzzyd_digests_flag' },
        { type: 'table', name: 'fuzzyd_extra_flags' },
        { type: 'index', name: 'fuzzyd_extra_flags_flag' },
        { type: 'table', name: 'fuzzyd_pending_shingles' },
        { type: 'index', name: 'fuzzyd_pending_shingles_digest' },
        { type: 'table', name: 'fuzzyd_shingle_blocks' },
        { type: 'table', name: 'fuzzyd_write_journal' },
      ]);
      const plan = store.catalogue.queryPlan({ range: { from: null, fromExclusive: false, to: null }, flag: 2, limit: 10 });
      expect(plan[0].steps.join(' | ')).toContain('INDEX fuzzyd_digests_flag');
    } finally {
      await store.close();
    }
  });
});
