import type Database from 'better-sqlite3';
import { SHINGLE_COUNT } from '../../../../../shared/protocol/constants.js';
import { ShingleBlock } from '../../../../../shared/protocol/shingle-block.js';
import type { ShingleOwner } from '../../hash-catalogue.js';

/**
 * Who owns each of a hash's 32 shingle positions now. rspamd's unique (value, number) index gives a position to the
 * latest hash written with that value there, so a position the hash lost belongs to a later near-duplicate. The
 * hash's own values come from fuzzyd_shingle_blocks (kept whole, sqlite-schema.ts), or from its queued rows; a hash
 * fuzzyd did not write (rspamd's worker did) has only the rows it still owns, and its lost positions stay unknown.
 */
export class ShingleOwners {
  private readonly block: Database.Statement<[number], { shingles: Buffer }>;
  private readonly pending: Database.Statement<[number], { shingles: Buffer }>;
  private readonly owned: Database.Statement<[number], { number: bigint; value: bigint }>;
  private readonly ownerOf: Database.Statement<[bigint, number], { digest_id: bigint }>;
  private readonly queuedOwners: Database.Statement<[], { digest_id: number; shingles: Buffer }>;

  constructor(private readonly db: Database.Database) {
    this.block = db.prepare('SELECT shingles FROM fuzzyd_shingle_blocks WHERE digest_id = ?');
    this.pending = db.prepare('SELECT shingles FROM fuzzyd_pending_shingles WHERE digest_id = ? ORDER BY seq DESC LIMIT 1');
    this.owned = db.prepare('SELECT number, value FROM shingles WHERE digest_id = ?').safeIntegers(true) as never;
    this.ownerOf = db.prepare('SELECT digest_id FROM shingles WHERE value = ? AND number = ?').safeIntegers(true) as never;
    // Hashes whose rows are still queued (a few, for milliseconds): they own their positions already, as in the index.
    this.queuedOwners = db.prepare('SELECT digest_id, shingles FROM fuzzyd_pending_shingles ORDER BY seq LIMIT 10000');
  }

  /** The 32 positions of row `id`: its value there (null when unknown) and the row that owns it (null: none). */
  of(id: number): ShingleOwner[] {
    return this.db.transaction(() => {
      const values = this.valuesOf(id);
      const queued = this.queuedOwners.all().map((q) => ({ id: q.digest_id, block: new ShingleBlock(q.shingles) }));
      return values.map((value, position) => {
        if (value === null) return { position, value: null, ownerId: null };
        // The queue is in write order: the last queued hash with this value here owns it once moved.
        let ownerId: number | null = null;
        for (const q of queued) if (q.block.at(position) === value) ownerId = q.id;
        if (ownerId === null) {
          const row = this.ownerOf.get(BigInt.asIntN(64, value), position);
          ownerId = row ? Number(row.digest_id) : null;
        }
        return { position, value, ownerId };
      });
    })();
  }

  private valuesOf(id: number): (bigint | null)[] {
    const whole = this.block.get(id) ?? this.pending.get(id);
    if (whole) return new ShingleBlock(whole.shingles).toBigInts();
    const out: (bigint | null)[] = new Array(SHINGLE_COUNT).fill(null);
    for (const row of this.owned.all(id)) {
      const position = Number(row.number);
      if (position >= 0 && position < SHINGLE_COUNT) out[position] = BigInt.asUintN(64, row.value);
    }
    return out;
  }
}
