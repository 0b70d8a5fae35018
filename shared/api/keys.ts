import Type, { type Static } from 'typebox';
import { Nullable } from './formats.js';

/** `GET /api/v1/keys`: the server's encryption keys and what each lets its clients do. Never a private half. */

export const KeyRightsInfo = Type.Object({
  read: Type.Boolean({ description: 'CHECK (and STAT, PING)' }),
  write: Type.Boolean({ description: 'WRITE' }),
  delete: Type.Boolean({ description: 'DEL' }),
});
export type KeyRightsInfo = Static<typeof KeyRightsInfo>;

export const KeyInfo = Type.Object({
  id: Type.String({ description: "zbase32 BLAKE2b-512 of the public key: the id `rspamadm keypair` prints and `allow_update_keys` lists" }),
  pubkey: Type.String({ description: 'The public key (zbase32), what a client sets as `encryption_key`' }),
  name: Nullable(Type.String({ description: '`extensions.name`' })),
  source: Type.Union([Type.Literal('static'), Type.Literal('dynamic')], {
    description: '`static`: a `keypair` of the configuration; `dynamic`: from `dynamic_keys_map`',
  }),
  default: Type.Boolean({ description: 'The last static key: it answers requests whose key id matches no key' }),
  rights: KeyRightsInfo,
  allowUpdate: Type.Boolean({ description: 'Listed in `allow_update_keys`: its clients may WRITE and DEL whatever its rights' }),
  expireAt: Nullable(Type.String({ format: 'date-time', description: 'Start of the `expire` day; from then its CHECKs are refused' })),
  expired: Type.Boolean(),
  forbiddenIds: Nullable(Type.Array(Type.Integer(), { description: "`extensions.forbidden_ids`: flags never returned to its clients (replaces the worker's list)" })),
});
export type KeyInfo = Static<typeof KeyInfo>;
