import type Database from 'better-sqlite3';
import type { FlagValue } from '../../../../shared/protocol/types.js';

/**
 * The extra (flag, value) slots of multi-flag hashes (rspamd ≥ 4.0, docs/spec/fuzzy-storage.md §3.4). rspamd's own
 * SQLite layout has one flag per digest, so the primary slot stays in `digests` (rspamd opening the file sees it) and
 * slots 1..7 live in fuzzyd's table beside it. The foreign key makes a row go with its digest even when rspamd's
 * worker deletes or expires the digest (it opens the file with foreign_keys on), so a reused rowid never inherits
 * another digest's flags.
 */
export class ExtraFlags {
  private readonly select: Database.Statement<[number], { flag: number; value: number }>;
  private readonly insert: Database.Statement<[number, number, number, number]>;
  private readonly clear: Database.Statement<[number]>;
  /** Digest ids that have extra slots: most have none, and a lookup per write would cost every plain WRITE. */
  private readonly owners: Set<number>;
  /** Owner states before the running transaction changed them, to undo on rollback. */
  private readonly before = new Map<number, boolean>();

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT flag, value FROM fuzzyd_extra_flags WHERE digest_id = ? ORDER BY slot');
    this.insert = db.prepare('INSERT INTO fuzzyd_extra_flags(digest_id, slot, flag, value) VALUES (?, ?, ?, ?)');
    this.clear = db.prepare('DELETE FROM fuzzyd_extra_flags WHERE digest_id = ?');
    const ids = db.prepare('SELECT DISTINCT digest_id AS id FROM fuzzyd_extra_flags').pluck().all() as number[];
    this.owners = new Set(ids);
  }

  /** The extra slots of a digest row, in slot order. */
  of(digestId: number): FlagValue[] {
    return this.owners.has(digestId) ? this.select.all(digestId) : [];
  }

  /**
   * Replaces a digest's extra slots (none: removes them). The caller owns the transaction and calls `settle` once it
   * has committed or rolled back, so the owner set always matches the file.
   */
  replace(digestId: number, extra: readonly FlagValue[]): void {
    if (this.owners.has(digestId)) this.clear.run(digestId);
    extra.forEach((s, i) => this.insert.run(digestId, i + 1, s.flag, s.value));
    this.markOwner(digestId, extra.length > 0);
  }

  /** The digest row is being deleted: so are its slots (the cascade would, unless foreign keys are off). */
  forget(digestId: number): void {
    if (this.owners.has(digestId)) this.clear.run(digestId);
    this.markOwner(digestId, false);
  }

  /** After the transaction: keep the owner changes it made, or undo them when it rolled back. */
  settle(committed: boolean): void {
    if (!committed) {
      for (const [id, owned] of this.before) {
        if (owned) this.owners.add(id);
        else this.owners.delete(id);
      }
    }
    this.before.clear();
  }

  private markOwner(digestId: number, owns: boolean): void {
    if (!this.before.has(digestId)) this.before.set(digestId, this.owners.has(digestId));
    if (owns) this.owners.add(digestId);
    else this.owners.delete(digestId);
  }
}

/** Every extra slot in the file by digest id, for the start-up load of the index. */
export function loadExtraFlags(db: Database.Database): Map<number, FlagValue[]> {
  const byId = new Map<number, FlagValue[]>();
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'fuzzyd_extra_flags'").get();
  if (!exists) return byId;
  const rows = db.prepare('SELECT digest_id, flag, value FROM fuzzyd_extra_flags ORDER BY digest_id, slot').raw().all() as [
    number,
    number,
    number,
  ][];
  for (const [id, flag, value] of rows) {
    let list = byId.get(id);
    if (!list) byId.set(id, (list = []));
    list.push({ flag, value });
  }
  return byId;
}
