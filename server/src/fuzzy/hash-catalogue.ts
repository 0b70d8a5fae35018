import type { FlagValue } from '../../../shared/protocol/types.js';
import type { DigestRange } from './hash-range.js';

export interface HashRow {
  id: number;
  digest: Buffer;
  /** The primary slot (rspamd's columns). */
  flag: number;
  value: number;
  time: number;
  /** Slots 1..7 of a multi-flag hash, in slot order; empty for most hashes. */
  extraFlags: FlagValue[];
}

export interface HashRowWithCount extends HashRow {
  /** Shingle positions the hash owns (32 for a hash written with shingles, fewer once later hashes took some over). */
  shingles: number;
}

export interface HashFilter {
  range: DigestRange;
  /** Hashes holding this flag in any slot. */
  flag: number | null;
  limit: number;
}

/** One of a hash's 32 shingle positions: its value there (null when unknown) and the row owning it now (null: none). */
export interface ShingleOwner {
  position: number;
  value: bigint | null;
  ownerId: number | null;
}

/** How a page finds the hashes holding a flag in an extra slot (sqlite/extra-flag-queries.ts). */
export type ExtraFlagPlan = 'sorted' | 'walk';

/** One statement a page runs, with the store's plan for it. */
export interface PagePlan {
  /** `primary`: rspamd's flag column; `extra-sorted` / `extra-walk`: the extra slots. */
  part: 'primary' | `extra-${ExtraFlagPlan}`;
  steps: string[];
}

/**
 * What a store with an ordered index over all its digests offers beyond FuzzyBackend: listing, prefix search and
 * export in digest order (keyset pages), a hash with its shingles, per-flag counts. The SQLite file has this (index
 * `d` and fuzzyd's own indexes); rspamd's Redis layout does not (its keys can only be SCANned, unordered, and it keeps
 * no per-flag counts), which is why FuzzyBackend.catalogue is optional and the admin API answers 501 without it.
 *
 * Reads show the store's tables, which may trail acknowledged updates (the SQLite backend applies its journal in the
 * background): a caller that must see its own writes in a listing calls `settle()` first.
 */
export interface HashCatalogue {
  /** Resolves once every update acknowledged so far is in what these reads see; rejects (503) if the store is stuck. */
  settle(): Promise<void>;
  /** Unexpired hashes in digest order within the filter, with their shingle counts. */
  page(filter: HashFilter): HashRowWithCount[];
  /** Like page() without the shingle counts (export reads the shingles themselves). */
  rows(filter: HashFilter): HashRow[];
  find(digest: Buffer): HashRowWithCount | null;
  /** The 32 shingle positions of a row (u64), null where a later hash took the position over. */
  shingles(id: number): (bigint | null)[];
  /** Who owns each of row `id`'s shingle positions now: itself, a later near-duplicate, or nobody (shingle-owners.ts). */
  shingleOwners(id: number): ShingleOwner[];
  /** Unexpired hashes by row id, with their shingle counts and slots (any order). */
  rowsByIds(ids: readonly number[]): HashRowWithCount[];
  /** Hashes per flag as acknowledged (once under each flag they hold), expired ones not yet purged included. */
  countByFlag(): { flag: number; count: number }[];
  /** The plans a page runs (`extraPlan` forces one of the extra-slot plans): tests keep pages off full scans. */
  queryPlan(filter: HashFilter, extraPlan?: ExtraFlagPlan): PagePlan[];
  /** Throws when the store cannot be read (for /health). */
  ping(): void;
}

/** Nest's handle on FuzzyBackend.catalogue: the catalogue, or null when the backend has none. */
export const HASH_CATALOGUE = Symbol('HASH_CATALOGUE');
