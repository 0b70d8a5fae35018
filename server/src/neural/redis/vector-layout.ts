import type { ClassCounts, VectorLayout } from './neural-redis.types.js';
import type { VectorClass } from './neural-keys.js';

/** Redis `TYPE` replies of one ANN key's four vector keys. */
export interface VectorKeyTypes {
  spamSet: string;
  hamSet: string;
  spamList: string;
  hamList: string;
}

/**
 * Which layout holds an ANN key's vectors (spec/neural.md §14): 3.4 SETs, the 2020 LISTs, or nothing. When both
 * exist (3.2's half migration, issue #4205) the SETs win because that is what a 3.4 trainer reads.
 */
export function detectLayout(t: VectorKeyTypes): VectorLayout {
  if (t.spamSet === 'set' || t.hamSet === 'set') return 'set';
  if (t.spamList === 'list' || t.hamList === 'list') return 'list';
  return 'none';
}

/** Per class: which key to read, given its types; a class stored only in the other layout is still found. */
export function classLayout(t: VectorKeyTypes, cls: VectorClass): 'set' | 'list' | 'none' {
  const set = cls === 'spam' ? t.spamSet : t.hamSet;
  const list = cls === 'spam' ? t.spamList : t.hamList;
  if (set === 'set') return 'set';
  if (list === 'list') return 'list';
  return 'none';
}

export function pickCounts(layout: VectorLayout, sets: ClassCounts, lists: ClassCounts): ClassCounts {
  if (layout === 'set') return sets;
  if (layout === 'list') return lists;
  return { spam: 0, ham: 0 };
}
