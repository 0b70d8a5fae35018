import Type, { type Static } from 'typebox';
import { AuditEntry } from './audit.js';
import { DigestHex, Flag, Nullable } from './formats.js';
import { HashItem } from './hashes.js';

/**
 * `POST /api/v1/lookup`: a raw message (EML) in, and for each part rspamd hashes, what fuzzyd holds for it. The
 * digests come from the configured rspamd controller's `/plugins/fuzzy/hashes` (rspamd >= 3.6), the shingle matches
 * from its `/checkv2`, whose FUZZY_* options name the stored digest that matched (docs/spec/message-lookup.md).
 */

export const LOOKUP_MAX_BYTES = 10 * 1024 * 1024;

export const LookupQuery = Type.Object(
  { flag: Type.Optional(Flag) },
  { additionalProperties: false, description: 'flag: the fuzzy_check flag whose rules hash the message (default: the first rule\'s first flag)' },
);
export type LookupQuery = Static<typeof LookupQuery>;

export const LookupHash = Type.Object({
  hash: HashItem,
  ageSeconds: Type.Integer({ description: 'Seconds since its last WRITE' }),
  history: Type.Array(AuditEntry, { description: 'Its audit trail, newest first (at most 20)' }),
});
export type LookupHash = Static<typeof LookupHash>;

export const LookupShingleMatch = Type.Object({
  ...LookupHash.properties,
  positions: Type.Integer({ minimum: 0, maximum: 32, description: 'Of the part\'s 32 shingle positions, how many this stored hash owns (probability × 32)' }),
  probability: Type.Number(),
});
export type LookupShingleMatch = Static<typeof LookupShingleMatch>;

export const LookupPart = Type.Object({
  index: Type.Integer({ minimum: 1, description: 'The part\'s place among those rspamd hashes (text parts, then attachments, in message order)' }),
  digest: DigestHex,
  /** The part's own digest is stored. */
  exact: Nullable(LookupHash),
  /** Stored hashes that matched the part's shingles, most positions first. */
  shingles: Type.Array(LookupShingleMatch),
});
export type LookupPart = Static<typeof LookupPart>;

export const LookupRule = Type.Object({ rule: Type.String(), parts: Type.Array(LookupPart) });
export type LookupRule = Static<typeof LookupRule>;

export const LookupResult = Type.Object({
  controller: Type.String({ description: 'The rspamd controller asked (its URL)' }),
  flag: Flag,
  rules: Type.Array(LookupRule),
  /** FUZZY_* symbols the controller's own scan reported (symbol and its options), as rspamd saw them. */
  symbols: Type.Array(Type.Object({ symbol: Type.String(), options: Type.Array(Type.String()) })),
  notes: Type.Array(Type.String(), { description: 'What could not be told, and why' }),
});
export type LookupResult = Static<typeof LookupResult>;
