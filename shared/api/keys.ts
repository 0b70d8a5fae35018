import Type, { type Static } from 'typebox';
import { Nullable, Text } from './formats.js';

/**
 * `/api/v1/keys`: the server's encryption keys and what each lets its clients do. Never a private half, except once:
 * in the answer to the POST that generated it (KeyCreated).
 */

export const KeyRightsInfo = Type.Object({
  read: Type.Boolean({ description: 'CHECK (and STAT, PING)' }),
  write: Type.Boolean({ description: 'WRITE' }),
  delete: Type.Boolean({ description: 'DEL' }),
});
export type KeyRightsInfo = Static<typeof KeyRightsInfo>;

export const KeySourceName = Type.Union([Type.Literal('static'), Type.Literal('dynamic'), Type.Literal('admin')], {
  description: '`static`: a `keypair` of the configuration; `dynamic`: from `dynamic_keys_map`; `admin`: made over this API',
});
export type KeySourceName = Static<typeof KeySourceName>;

export const KeyInfo = Type.Object({
  id: Type.String({ description: "zbase32 BLAKE2b-512 of the public key: the id `rspamadm keypair` prints and `allow_update_keys` lists" }),
  pubkey: Type.String({ description: 'The public key (zbase32), what a client sets as `encryption_key`' }),
  name: Nullable(Type.String({ description: '`extensions.name`' })),
  source: KeySourceName,
  default: Type.Boolean({ description: 'The last static key: it answers requests whose key id matches no key' }),
  rights: KeyRightsInfo,
  allowUpdate: Type.Boolean({ description: 'Listed in `allow_update_keys`: its clients may WRITE and DEL whatever its rights' }),
  expireAt: Nullable(Type.String({ format: 'date-time', description: 'Start of the `expire` day; from then its CHECKs are refused' })),
  expired: Type.Boolean(),
  forbiddenIds: Nullable(Type.Array(Type.Integer(), { description: "`extensions.forbidden_ids`: flags never returned to its clients (replaces the worker's list)" })),
  ratelimit: Nullable(
    Type.Object({ burst: Type.Number(), rate: Type.Number({ description: 'Requests per second leaked' }) }, { description: '`extensions.ratelimit` as numbers' }),
  ),
  disabled: Type.Boolean({ description: 'Disabled over this API: its CHECKs are refused as an expired key’s, and its updates too' }),
});
export type KeyInfo = Static<typeof KeyInfo>;

export const KeyOperation = Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('delete')]);
export type KeyOperation = Static<typeof KeyOperation>;

const KEY_OPTIONS = {
  name: Text(64, { description: '`extensions.name`, for logs and this list' }),
  allowedOps: Type.Array(KeyOperation, {
    uniqueItems: true,
    maxItems: 3,
    description: '`extensions.allowed_ops`: what its clients may do (default: read only); [] refuses everything',
    'x-error': 'must be a list of read, write, delete (each once)',
  }),
  expire: Nullable(
    Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: '`extensions.expire` as YYYY-MM-DD: from the start of that day (server local time) its CHECKs are refused; null: never',
      'x-error': 'must be a date YYYY-MM-DD',
    }),
  ),
  forbiddenIds: Nullable(
    Type.Array(Type.Integer({ minimum: 0, maximum: 4294967295 }), {
      maxItems: 256,
      description: "`extensions.forbidden_ids`: flags never returned to its clients (replaces the worker's list); null: the worker's list",
      'x-error': 'must be a list of at most 256 flag numbers (0 to 4294967295)',
    }),
  ),
  ratelimit: Nullable(Text(64, { example: '1000 / 1h', description: '`extensions.ratelimit` as rspamd writes it, "N / T" (burst N, N per T); null: none' })),
};

export const KeypairInput = Type.Object(
  {
    privkey: Type.String({ minLength: 1, maxLength: 128, description: 'rspamd base32 (or 64 hex digits)' }),
    pubkey: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Checked against privkey when given' })),
    encoding: Type.Optional(Type.Union([Type.Literal('base32'), Type.Literal('hex')])),
  },
  { additionalProperties: false, description: 'An existing keypair (rspamadm keypair output) instead of a generated one' },
);
export type KeypairInput = Static<typeof KeypairInput>;

export const KeyCreate = Type.Object(
  {
    name: KEY_OPTIONS.name,
    allowedOps: Type.Optional(KEY_OPTIONS.allowedOps),
    expire: Type.Optional(KEY_OPTIONS.expire),
    forbiddenIds: Type.Optional(KEY_OPTIONS.forbiddenIds),
    ratelimit: Type.Optional(KEY_OPTIONS.ratelimit),
    keypair: Type.Optional(KeypairInput),
  },
  { additionalProperties: false },
);
export type KeyCreate = Static<typeof KeyCreate>;

/** Every field optional; static and dynamic keys take only `disabled` (their options belong to their file). */
export const KeyPatch = Type.Object(
  {
    name: Type.Optional(KEY_OPTIONS.name),
    allowedOps: Type.Optional(KEY_OPTIONS.allowedOps),
    expire: Type.Optional(KEY_OPTIONS.expire),
    forbiddenIds: Type.Optional(KEY_OPTIONS.forbiddenIds),
    ratelimit: Type.Optional(KEY_OPTIONS.ratelimit),
    disabled: Type.Optional(Type.Boolean({ description: 'true: refuse its CHECKs and updates (any source); false: serve it again' })),
  },
  { additionalProperties: false, minProperties: 1, 'x-error': 'must change at least one of name, allowedOps, expire, forbiddenIds, ratelimit, disabled' },
);
export type KeyPatch = Static<typeof KeyPatch>;

/** Returned once by `POST /keys`. */
export const KeyCreated = Type.Object({
  key: KeyInfo,
  privkey: Nullable(
    Type.String({ description: 'The generated private key (rspamd base32): shown only in this answer, never again; null when the keypair was supplied' }),
  ),
  rspamdRule: Type.String({ description: "A fuzzy_check rule for rspamd's local.d/fuzzy_check.conf that encrypts to this key" }),
});
export type KeyCreated = Static<typeof KeyCreated>;
