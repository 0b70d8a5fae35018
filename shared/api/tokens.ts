import Type, { type Static } from 'typebox';
import { Text } from './formats.js';

/** `/api/v1/tokens`: the admin API's bearer tokens. */

export const TokenScope = Type.Union([Type.Literal('read'), Type.Literal('write'), Type.Literal('admin')], { description: 'read ⊂ write ⊂ admin' });
export type TokenScope = Static<typeof TokenScope>;
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];

export const TokenItem = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  scope: TokenScope,
  hint: Type.String({ example: 'fzd_Ab3x…', description: 'The first characters of the token, to tell tokens apart' }),
  origin: Type.Union([Type.Literal('env'), Type.Literal('generated'), Type.Literal('api')], {
    description: '`env` (FUZZYD_ADMIN_TOKEN), `generated` (first start) or `api`',
  }),
  createdAt: Type.Integer({ description: 'Unix seconds' }),
  lastUsedAt: Type.Union([Type.Integer(), Type.Null()], { description: 'Unix seconds (recorded to the minute)' }),
});
export type TokenItem = Static<typeof TokenItem>;

export const TokenCreate = Type.Object({ name: Text(100), scope: TokenScope }, { additionalProperties: false });
export type TokenCreate = Static<typeof TokenCreate>;

/** Returned once by `POST /tokens`: the only time the secret is shown. */
export const TokenCreated = Type.Object({
  ...TokenItem.properties,
  token: Type.String({ description: 'The secret; shown only in this answer' }),
});
export type TokenCreated = Static<typeof TokenCreated>;
