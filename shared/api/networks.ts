import Type, { type Static } from 'typebox';
import { Nullable, Text } from './formats.js';

/** `/api/v1/allow-update` and `/api/v1/blocked`: the UDP access maps. */

export type NetworkListName = 'allow-update' | 'blocked';

export const NetworkItem = Type.Object({
  id: Type.String({ example: '12', description: 'A number for entries added over the API; `config-N` for configuration entries (read-only)' }),
  cidr: Type.String({ example: '10.0.0.0/8' }),
  comment: Nullable(Type.String()),
  source: Type.Union([Type.Literal('config'), Type.Literal('api')]),
  readOnly: Type.Boolean(),
  createdAt: Nullable(Type.Integer({ description: 'Unix seconds; null for configuration entries' })),
});
export type NetworkItem = Static<typeof NetworkItem>;

/** The server parses the address itself (allow-map.service.ts): the schema bounds the text only. */
export const NetworkCreate = Type.Object(
  {
    cidr: Text(64, { example: '192.0.2.0/24', description: 'IPv4/IPv6 address or CIDR' }),
    comment: Type.Optional(Nullable(Text(200, { allowEmpty: true }))),
  },
  { additionalProperties: false },
);
export type NetworkCreate = Static<typeof NetworkCreate>;
