import Type, { type Static } from 'typebox';
import { Flag, Nullable, Text } from './formats.js';

/** `/api/v1/flags`: names and descriptions of flag numbers, with their hash counts. */

export const FlagInfo = Type.Object({
  flag: Flag,
  name: Nullable(Type.String({ example: 'spam' })),
  description: Nullable(Type.String()),
  count: Type.Integer({ description: 'Hashes stored with this flag' }),
});
export type FlagInfo = Static<typeof FlagInfo>;

/** `PUT /flags/{flag}` body. An empty description clears it, as null does. */
export const FlagUpdate = Type.Object(
  {
    name: Text(64, { example: 'spam' }),
    description: Type.Optional(Nullable(Text(500, { allowEmpty: true }))),
  },
  { additionalProperties: false },
);
export type FlagUpdate = Static<typeof FlagUpdate>;
