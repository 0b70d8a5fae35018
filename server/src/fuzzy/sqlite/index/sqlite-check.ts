import type Database from 'better-sqlite3';
import { DIGEST_BYTES, SHINGLE_COUNT } from '../../../../../shared/protocol/constants.js';
import type { ShingleBlock } from '../../../../../shared/protocol/shingle-block.js';
import type { Digest } from '../../../../../shared/protocol/types.js';
import type { CheckResult, StoredHash } from '../../fuzzy-backend.js';
import type { FuzzyIndex } from '../../memory/fuzzy-index.js';
import { isShingleHit, shingleProbability, voteShingles } from '../../shingle-vote.js';
import { ExtraFlags } from '../extra-flags.js';

interface DigestRow {
  id: number;
  flag: number;
  digest: Buffer;
  value: number | null;
  time: number | null;
  /** fuzzyd_digest_created's record; null for a row rspamd's worker wrote (its `time` is then the first write). */
  created: number | null;
}

/**
 * CHECK and get from rspamd's tables, while the index is still being built (a first start, a file rspamd wrote, a
 * restart after kill -9): fuzzyd answers at once instead of after the rebuild, and never with a false miss.
 *
 * The tables hold everything committed before the store opened (the writer finishes a crash's journal first); what
 * was committed since is in `recent`, a small index of its own, and what was deleted since is in `deleted`, since the
 * writer moves its journal into the tables only in the background. `recent` answers first, then the tables.
 * Synchronous SQLite reads on the main thread: ~20 µs for a digest, ~32 index lookups for a shingle vote; the UDP
 * threads hand every CHECK to the main thread meanwhile.
 */
export class SqliteCheck {
  private readonly byDigest: Database.Statement<[Buffer]>;
  private readonly byId: Database.Statement<[number]>;
  private readonly shingleOwner: Database.Statement<[number, number, number]>;
  private readonly extra: ExtraFlags;
  private readonly owners = new Int32Array(SHINGLE_COUNT);

  constructor(
    db: Database.Database,
    private readonly expireSeconds: number,
    private readonly recent: FuzzyIndex,
    private readonly deleted: ReadonlySet<string>,
  ) {
    // The writer made fuzzyd_digest_created before this store opened (sqlite-schema.ts).
    const columns = `id, flag, CAST(digest AS BLOB) AS digest, value, time,
      (SELECT created FROM fuzzyd_digest_created WHERE digest_id = digests.id) AS created`;
    this.byDigest = db.prepare(`SELECT ${columns} FROM digests WHERE digest = CAST(? AS TEXT)`);
    this.byId = db.prepare(`SELECT ${columns} FROM digests WHERE id = ?`);
    // rspamd stores a shingle as a signed 64-bit integer: (hi << 32) | lo is that integer, computed by SQLite.
    this.shingleOwner = db.prepare('SELECT digest_id FROM shingles WHERE value = ((? << 32) | ?) AND number = ?').pluck();
    this.extra = new ExtraFlags(db);
  }

  check(digest: Digest, shingles: ShingleBlock | null, now: number): CheckResult {
    // A hash written since the store opened is found here, directly or by its shingles (a hit ends the CHECK).
    const recent = this.recent.check(digest, shingles, now);
    if (recent.prob > 0) return recent;
    const row = this.deleted.has(digest.toString('hex')) ? undefined : (this.byDigest.get(digest) as DigestRow | undefined);
    if (row) return this.isExpired(row, now) ? miss(digest) : this.hit(row, 1);
    if (!shingles) return miss(digest);
    for (let i = 0; i < SHINGLE_COUNT; i++) {
      const id = this.shingleOwner.get(shingles.hi(i), shingles.lo(i), i) as number | undefined;
      this.owners[i] = id ?? -1;
    }
    const { winner, slots } = voteShingles(this.owners);
    if (winner < 0 || !isShingleHit(slots)) return miss(digest);
    const owner = this.byId.get(winner) as DigestRow | undefined;
    if (!owner || owner.digest.length !== DIGEST_BYTES || this.deleted.has(owner.digest.toString('hex'))) return miss(digest);
    // The owner may have been rewritten since the store opened: its flag and value are then the recent ones.
    const newer = this.recent.get(owner.digest, now);
    if (newer) {
      const { value, flag, extraFlags, time, created } = newer;
      return { prob: shingleProbability(slots), value, flag, extraFlags, digest: newer.digest, ts: time, created };
    }
    return this.isExpired(owner, now) ? miss(digest) : this.hit(owner, shingleProbability(slots));
  }

  get(digest: Digest, now: number): StoredHash | null {
    const recent = this.recent.get(digest, now);
    if (recent || this.deleted.has(digest.toString('hex'))) return recent;
    const row = this.byDigest.get(digest) as DigestRow | undefined;
    if (!row || this.isExpired(row, now)) return null;
    return { digest: row.digest, flag: row.flag, value: row.value ?? 0, time: row.time ?? 0, extraFlags: this.extra.of(row.id) };
  }

  private hit(row: DigestRow, prob: number): CheckResult {
    const ts = row.time ?? 0;
    return { prob, value: row.value ?? 0, flag: row.flag, extraFlags: this.extra.of(row.id), digest: row.digest, ts, created: row.created ?? ts };
  }

  private isExpired(row: DigestRow, now: number): boolean {
    return now - (row.time ?? 0) > this.expireSeconds;
  }
}

function miss(digest: Digest): CheckResult {
  return { prob: 0, value: 0, flag: 0, extraFlags: [], digest, ts: 0 };
}
