import Type, { type Static } from 'typebox';
import { DigestHex, Nullable } from './formats.js';
import { HashItem } from './hashes.js';

/**
 * `GET /api/v1/hashes/{digest}/explain`: the near-duplicate cluster of a stored hash. rspamd's layout gives each
 * (shingle value, position) to the latest hash written with it, so a position the hash lost is owned by a later
 * near-duplicate; `owners` counts the positions each hash holds, the hash itself included.
 */
export const ShinglePosition = Type.Object({
  position: Type.Integer({ minimum: 0, maximum: 31 }),
  value: Nullable(Type.String({ description: 'The hash\'s shingle here (u64 decimal); null when unknown (a hash fuzzyd did not write, position lost)' })),
  owner: Nullable(DigestHex),
});
export type ShinglePosition = Static<typeof ShinglePosition>;

export const ShingleOwnerCount = Type.Object({
  hash: HashItem,
  positions: Type.Integer({ minimum: 1, maximum: 32, description: 'Of the explained hash\'s 32 positions, how many this hash owns' }),
  self: Type.Boolean({ description: 'This is the explained hash itself' }),
});
export type ShingleOwnerCount = Static<typeof ShingleOwnerCount>;

export const HashExplain = Type.Object({
  digest: DigestHex,
  /** 32 positions in order, or none for a hash stored without shingles. */
  positions: Type.Array(ShinglePosition),
  owners: Type.Array(ShingleOwnerCount, { description: 'Owners of its positions, most positions first' }),
  unknown: Type.Integer({ description: 'Positions whose value is unknown' }),
  unowned: Type.Integer({ description: 'Positions with a known value no stored hash owns (its owner expired or was deleted)' }),
});
export type HashExplain = Static<typeof HashExplain>;
