import { SHINGLE_COUNT, SHINGLE_HIT_SLOTS } from '../../../shared/protocol/constants.js';

export interface VoteOutcome {
  /** The record owning the most positions, or -1 when no position matched. */
  winner: number;
  /** How many of the 32 positions the winner owns. */
  slots: number;
}

/**
 * Counts, over the 32 shingle positions, which stored record owns each position's value (-1 = nobody) and picks the
 * record owning the most. Ties go to the record met first (lowest position), so the result is deterministic.
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
    if (n > best) {
      best = n;
      winner = candidate;
    }
  }
  return { winner, slots: best };
}

/** fuzzyd's rule (spec/fuzzy-protocol.md §5.3 recommendation): hit iff ≥ 17 slots, prob = slots / 32. */
export function isShingleHit(slots: number): boolean {
  return slots >= SHINGLE_HIT_SLOTS;
}

export function shingleProbability(slots: number): number {
  return slots / SHINGLE_COUNT;
}
