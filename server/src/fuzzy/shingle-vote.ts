import { SHINGLE_COUNT, SHINGLE_HIT_SLOTS } from '../../../shared/protocol/constants.js';

export interface VoteOutcome {
  /** The record owning the most positions, or -1 when no position matched. */
  winner: number;
  /** How many of the 32 positions the winner owns. */
  slots: number;
}

/**
 * The shingle vote of every backend (the SQLite index, CHECKs from rspamd's tables, Redis): over the 32 positions of
 * a CHECK's shingles, `owners[i]` is the stored record owning position i's value (-1 = nobody), and the record owning
 * the most positions wins, counted exactly (rspamd's off-by-one counts are not copied, spec/fuzzy-protocol.md §5.3).
 *
 * Ties go to the record met first (the lowest position). A tie can never decide a hit: a hit needs ≥ 17 of the 32
 * positions (isShingleHit), and two records cannot both own 17. So fuzzyd uses this one rule for both backends,
 * where rspamd's differ (docs/spec/fuzzy-notes.md §6): any deterministic tie-break gives clients the same answers.
 */
export function voteShingles(owners: ArrayLike<number>): VoteOutcome {
  let winner = -1;
  let best = 0;
  for (let i = 0; i < SHINGLE_COUNT; i++) {
    const candidate = owners[i];
    if (candidate < 0 || candidate === winner) continue;
    let n = 0;
    // Count only from the first occurrence, so each candidate is counted once.
    let seenBefore = false;
    for (let j = 0; j < i; j++) if (owners[j] === candidate) seenBefore = true;
    if (seenBefore) continue;
    for (let j = i; j < SHINGLE_COUNT; j++) if (owners[j] === candidate) n++;
    // Strictly more: an equal count leaves the record met first.
    if (n > best) {
      best = n;
      winner = candidate;
    }
  }
  return { winner, slots: best };
}

/**
 * `voteShingles` over owners named by their raw digest (null = nobody), as Redis's slot keys hold them: each distinct
 * digest is numbered in the order it is met, so the rule, ties included, is the same one.
 */
export function voteDigests(owners: readonly (Buffer | null)[]): { winner: Buffer | null; slots: number } {
  const ids = new Int32Array(SHINGLE_COUNT).fill(-1);
  const distinct: Buffer[] = [];
  for (let i = 0; i < SHINGLE_COUNT; i++) {
    const owner = owners[i];
    if (!owner) continue;
    let id = distinct.findIndex((d) => d.equals(owner));
    if (id < 0) id = distinct.push(owner) - 1;
    ids[i] = id;
  }
  const { winner, slots } = voteShingles(ids);
  return { winner: winner < 0 ? null : distinct[winner], slots };
}

/** fuzzyd's rule (spec/fuzzy-protocol.md §5.3 recommendation): hit iff ≥ 17 slots, prob = slots / 32. */
export function isShingleHit(slots: number): boolean {
  return slots >= SHINGLE_HIT_SLOTS;
}

export function shingleProbability(slots: number): number {
  return slots / SHINGLE_COUNT;
}
