import { compareBytewise } from './symbols-digest.js';

/**
 * rspamd's `distance_sorted` (spec/neural.md §4.4), reproduced step by step because it decides which profile a
 * scanner loads. It is deliberately NOT the symmetric-difference size: ['A','C'] vs ['B','D'] is 2, not 4, since the
 * walk stops after max(len a, len b) steps. Both lists must already be sorted bytewise; rspamd passes the profile's
 * list as `a` and the settings element's list as `b`.
 */
export function distanceSorted(a: readonly string[], b: readonly string[]): number {
  const m = Math.max(a.length, b.length);
  let i = 0;
  let j = 0;
  let d = 0;
  for (let step = 0; step < m; step++) {
    if (j >= b.length) {
      d += m - b.length;
      if (i > j) d -= i - j;
      break;
    }
    if (i >= a.length) {
      d += m - a.length;
      if (j > i) d -= j - i;
      break;
    }
    const order = compareBytewise(a[i], b[j]);
    if (order === 0) {
      i++;
      j++;
    } else if (order < 0) {
      i++;
      d++;
    } else {
      j++;
      d++;
    }
  }
  return d;
}

/** §4.4: a profile is a load candidate only while its distance stays below 30 % of the set's symbol count. */
export function isDistanceCandidate(distance: number, setSymbolCount: number): boolean {
  return distance < 0.3 * setSymbolCount;
}
