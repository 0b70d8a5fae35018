import Type, { type Static } from 'typebox';

/** RFC 9457 problem details, the body of every error (`application/problem+json`). */
export const Problem = Type.Object({
  type: Type.String({ example: 'about:blank' }),
  title: Type.String({ example: 'Bad Request' }),
  status: Type.Integer({ example: 400 }),
  detail: Type.String({ example: "digest: must be 128 hex characters (got 'abc')" }),
  instance: Type.Optional(Type.String({ example: '/api/v1/hashes' })),
  field: Type.Optional(Type.String({ example: 'digest', description: 'The request field that failed validation, when one did' })),
});
export type Problem = Static<typeof Problem>;

export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  checks: Type.Record(
    Type.String(),
    Type.Object({
      ok: Type.Boolean(),
      detail: Type.Optional(Type.String()),
      optional: Type.Optional(Type.Boolean({ description: 'A failing optional check (Redis at the default address) does not make the status degraded' })),
    }),
  ),
  redis: Type.Optional(
    Type.Array(
      Type.Object({
        use: Type.Union([Type.Literal('fuzzy'), Type.Literal('neural')]),
        role: Type.Union([Type.Literal('primary'), Type.Literal('replica')]),
        address: Type.String({ description: 'host:port connected to (the primary Sentinel named), else the configured address' }),
        reachable: Type.Boolean(),
        via: Type.String({ description: "'sentinel <master>', 'configured' or 'read_servers'" }),
      }),
      { description: 'Every Redis server fuzzyd uses, primary first; absent without Redis' },
    ),
  ),
});
export type HealthResponse = Static<typeof HealthResponse>;
