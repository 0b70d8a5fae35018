import { describe, expect, it } from 'vitest';
import { isShingleHit, shingleProbability, voteDigests, voteShingles } from '../../../server/src/fuzzy/shingle-vote.js';

/** 32 positions described as runs: [owner, count], ... (owner -1 = nobody); the rest of the 32 are nobody's. */
function positions(...runs: [number, number][]): number[] {
  const owners = runs.flatMap(([owner, n]) => Array<number>(n).fill(owner));
  if (owners.length > 32) throw new Error('more than 32 positions');
  return [...owners, ...Array<number>(32 - owners.length).fill(-1)];
}

/** Owners interleaved one position each, in the order given, until each has its count. */
function interleaved(...counts: [number, number][]): number[] {
  const left = new Map(counts);
  const owners: number[] = [];
  while ([...left.values()].some((n) => n > 0)) {
    for (const [owner] of counts) {
      const n = left.get(owner)!;
      if (n > 0) {
        owners.push(owner);
        left.set(owner, n - 1);
      }
    }
  }
  return [...owners, ...Array<number>(32 - owners.length).fill(-1)];
}

describe('voteShingles: the one vote of every backend', () => {
  const cases: { name: string; owners: number[]; winner: number; slots: number }[] = [
    { name: 'no position owned', owners: positions(), winner: -1, slots: 0 },
    { name: 'one owner of all 32 (no off-by-one, unlike rspamd)', owners: positions([7, 32]), winner: 7, slots: 32 },
    { name: 'one owner of 17, the rest nobody', owners: positions([-1, 15], [3, 17]), winner: 3, slots: 17 },
    { name: 'one owner of the last position only', owners: positions([-1, 31], [9, 1]), winner: 9, slots: 1 },
    { name: 'the larger share wins when met second', owners: positions([1, 12], [2, 20]), winner: 2, slots: 20 },
    { name: 'the larger share wins when met first', owners: positions([2, 20], [1, 12]), winner: 2, slots: 20 },
    { name: 'scattered positions count together', owners: interleaved([4, 10], [5, 18]), winner: 5, slots: 18 },
    { name: 'three owners, the largest in the middle', owners: positions([1, 8], [2, 14], [3, 10]), winner: 2, slots: 14 },
    { name: 'slot id 0 is an owner like any other', owners: positions([0, 17], [1, 15]), winner: 0, slots: 17 },
    // Ties: the owner met first (lowest position) wins, whatever its id.
    { name: 'tie 16/16: the owner at position 0', owners: positions([9, 16], [2, 16]), winner: 9, slots: 16 },
    { name: 'tie 16/16 interleaved: the owner at position 0', owners: interleaved([2, 16], [9, 16]), winner: 2, slots: 16 },
    { name: 'tie after nobody: the first owner met', owners: positions([-1, 2], [5, 10], [4, 10], [3, 10]), winner: 5, slots: 10 },
    { name: 'tie below a larger share does not matter', owners: positions([1, 5], [2, 5], [3, 22]), winner: 3, slots: 22 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(voteShingles(Int32Array.from(c.owners))).toEqual({ winner: c.winner, slots: c.slots });
    });
  }
});

describe('voteDigests: the same vote over owners named by digest (Redis slot keys)', () => {
  const digest = (byte: number): Buffer => Buffer.alloc(64, byte);
  const named = (owners: number[]): (Buffer | null)[] => owners.map((o) => (o < 0 ? null : digest(o)));
  const cases: { name: string; owners: number[]; winner: number | null; slots: number }[] = [
    { name: 'no position owned', owners: positions(), winner: null, slots: 0 },
    { name: 'one owner of all 32', owners: positions([0xaa, 32]), winner: 0xaa, slots: 32 },
    { name: 'the larger share wins', owners: interleaved([0x01, 13], [0xff, 19]), winner: 0xff, slots: 19 },
    // Not rspamd's Redis tie-break (the digest that sorts first): the one met first, as in every fuzzyd backend.
    { name: 'tie: the digest met first, not the one that sorts first', owners: positions([0xff, 16], [0x01, 16]), winner: 0xff, slots: 16 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { winner, slots } = voteDigests(named(c.owners));
      expect({ winner: winner ? winner[0] : null, slots }).toEqual({ winner: c.winner, slots: c.slots });
    });
  }

  it('distinct digest objects with the same bytes are one owner', () => {
    const owners = Array.from({ length: 32 }, (_, i) => (i < 17 ? Buffer.from(digest(3)) : null));
    expect(voteDigests(owners).slots).toBe(17);
  });
});

describe('the hit threshold', () => {
  const cases: [slots: number, hit: boolean][] = [[0, false], [1, false], [16, false], [17, true], [31, true], [32, true]];
  for (const [slots, hit] of cases) {
    it(`${slots} of 32 positions: ${hit ? 'hit' : 'miss'}, prob ${slots}/32`, () => {
      expect(isShingleHit(slots)).toBe(hit);
      expect(shingleProbability(slots)).toBe(slots / 32);
    });
  }
});
