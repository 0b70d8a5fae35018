import Type, { type Static } from 'typebox';
import { DigestHex, Flag, FLAG_MAX, FlagList, HexPrefix, I32_MAX, I32_MIN, MAX_FLAGS_PER_HASH, Nullable, Shingles, Weight } from './formats.js';

/** The hash payloads of `/api/v1/hashes`: each schema is the type (Static), the check and the OpenAPI description. */

const PRIMARY = 'The primary slot (rspamd 3.x clients see this one; also `flags[0]`)';
const FlagName = Nullable(Type.String({ description: 'The name given to the flag with `PUT /flags/{flag}`, or null', example: 'spam' }));

/** One (flag, value) slot, as a hash's answers list it and `PATCH`/import send it. */
export const HashFlagValue = Type.Object({ flag: Flag, value: Weight });
export type HashFlagValue = Static<typeof HashFlagValue>;

/** One slot of a listed hash, with the flag's name. */
export const HashFlag = Type.Object({ flag: Flag, value: Weight, flagName: FlagName });
export type HashFlag = Static<typeof HashFlag>;

const HashFlags = Type.Array(HashFlag, {
  minItems: 1,
  maxItems: MAX_FLAGS_PER_HASH,
  description: `Every (flag, value) slot, primary first: up to ${MAX_FLAGS_PER_HASH} with rspamd ≥ 4.0 clients, one flag at most once`,
});

/**
 * One stored hash as listed by `GET /hashes`. A hash holds 1 to 8 (flag, value) slots (rspamd ≥ 4.0); `flag`,
 * `flagName` and `value` are the primary slot, the one rspamd's tables hold and rspamd 3.x clients see.
 */
const HashFields = {
  digest: DigestHex,
  flag: Type.Integer({ minimum: 0, maximum: FLAG_MAX, description: PRIMARY }),
  flagName: FlagName,
  value: Type.Integer({ description: PRIMARY }),
  flags: HashFlags,
  time: Type.Integer({ description: 'Unix seconds of the last WRITE' }),
};

export const HashItem = Type.Object({
  ...HashFields,
  shingles: Type.Integer({ description: 'Shingle rows the hash owns (32 for a hash written with shingles, else 0)' }),
});
export type HashItem = Static<typeof HashItem>;

export const HashPage = Type.Object({
  items: Type.Array(HashItem),
  nextCursor: Nullable(Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' })),
});
export type HashPage = Static<typeof HashPage>;

/**
 * `GET /hashes/{digest}`: the item plus its shingles as decimal u64 strings in position order (32, or none for a hash
 * written without shingles). A position is null when a later hash with the same shingle value there took it over.
 */
export const HashDetail = Type.Object({
  ...HashFields,
  shingles: Type.Array(Nullable(Type.String()), { description: '32 shingles in position order (u64 decimal; null = taken over), or none' }),
});
export type HashDetail = Static<typeof HashDetail>;

/** `POST /hashes` body: a WRITE of one (flag, value), by rspamd 4.x's rule (another flag takes a slot of its own). */
export const HashCreate = Type.Object({ digest: DigestHex, flag: Flag, value: Weight, shingles: Type.Optional(Nullable(Shingles)) }, { additionalProperties: false });
export type HashCreate = Static<typeof HashCreate>;

/**
 * One line of a JSON Lines import, and of an export (which adds `time`, ignored on import). A line gives either
 * `flag` and `value`, or `flags` (every slot, primary first), or both when `flag`/`value` equal `flags[0]`; the
 * decode step (server/src/hashes/hash-input.ts) holds those rules.
 */
export const HashImportLine = Type.Object(
  {
    digest: DigestHex,
    flag: Type.Optional(Flag),
    value: Type.Optional(Weight),
    flags: Type.Optional(FlagList),
    shingles: Type.Optional(Nullable(Shingles)),
    time: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Unix seconds; ignored on import' })),
  },
  { additionalProperties: false },
);
export type HashImportLine = Static<typeof HashImportLine>;

/**
 * `PATCH /hashes/{digest}`: `flags` replaces every slot (first = primary); or `flag` and/or `value` change the
 * primary slot. `flags` together with `flag` or `value` is refused.
 */
export const HashPatch = Type.Object(
  {
    flag: Type.Optional(Type.Integer({ minimum: 0, maximum: FLAG_MAX, description: 'New primary flag (not with `flags`)' })),
    value: Type.Optional(Type.Integer({ minimum: I32_MIN, maximum: I32_MAX, description: 'New primary value (not with `flags`)' })),
    flags: Type.Optional(FlagList),
  },
  { additionalProperties: false },
);
export type HashPatch = Static<typeof HashPatch>;

/**
 * What a WRITE did: `added` a new hash, `updated` (a flag it holds: weight added) or `reflagged` (a flag it did not
 * hold: a slot added, or a full hash's lowest slot replaced).
 */
export const WriteStatus = Type.Union([Type.Literal('added'), Type.Literal('updated'), Type.Literal('reflagged')]);
export type WriteStatus = Static<typeof WriteStatus>;

export const HashWriteResult = Type.Object({ status: WriteStatus, hash: HashItem });
export type HashWriteResult = Static<typeof HashWriteResult>;

export const ImportReject = Type.Object({
  line: Type.Integer({ description: '1-based line number in the uploaded file' }),
  error: Type.String(),
});
export type ImportReject = Static<typeof ImportReject>;

export const ImportResult = Type.Object({
  added: Type.Integer(),
  updated: Type.Integer({ description: 'Hashes that existed (weight added, or re-flagged)' }),
  rejected: Type.Integer(),
  rejects: Type.Array(ImportReject, { description: 'The first 1000 rejects, in line order (`rejected` counts them all)' }),
  lines: Type.Integer({ description: 'Lines read, blank lines excluded' }),
});
export type ImportResult = Static<typeof ImportResult>;

/** Query strings arrive as text: integer fields are read as numbers first (schema-input.ts checkQuery). */
const FlagFilter = Type.Integer({ minimum: 0, maximum: FLAG_MAX, description: 'Only hashes holding this flag (0..255) in any slot' });

export const HASH_PAGE_MAX = 500;
export const HASH_PAGE_DEFAULT = 100;

/** `GET /hashes`: keyset pagination in digest order. */
export const HashListQuery = Type.Object(
  {
    flag: Type.Optional(FlagFilter),
    prefix: Type.Optional(HexPrefix),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: HASH_PAGE_MAX, description: `Page size, 1..${HASH_PAGE_MAX} (default ${HASH_PAGE_DEFAULT})` })),
    cursor: Type.Optional(
      Type.Union([DigestHex, Type.Literal('')], { description: '`nextCursor` of the previous page', 'x-error': 'must be 128 hex characters' }),
    ),
  },
  { additionalProperties: false },
);
export type HashListQuery = Static<typeof HashListQuery>;

/** `GET /hashes/export`: the same filters, every page at once. */
export const HashExportQuery = Type.Object({ flag: Type.Optional(FlagFilter), prefix: Type.Optional(HexPrefix) }, { additionalProperties: false });
export type HashExportQuery = Static<typeof HashExportQuery>;

/**
 * `POST /hashes/import`. `add` (default): rspamd 4.x's WRITE per slot of the line; `replace`: an existing hash takes
 * the line's slots (`flags`), or its primary flag and weight (a line without `flags`).
 */
export const ImportMode = Type.Union([Type.Literal('add'), Type.Literal('replace')], {
  description: 'add (default): WRITE per slot; replace: set the slots (or the primary flag and weight) of existing hashes',
});
export type ImportMode = Static<typeof ImportMode>;

export const HashImportQuery = Type.Object({ mode: Type.Optional(ImportMode) }, { additionalProperties: false });
export type HashImportQuery = Static<typeof HashImportQuery>;
