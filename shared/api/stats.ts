import Type, { type Static } from 'typebox';
import { Nullable } from './formats.js';

/** `GET /api/v1/stats`: UDP traffic since start and per minute, and the hashes per flag. */

export const RequestCount = Type.Object({
  command: Type.String({ example: 'check' }),
  result: Type.String({ example: 'hit' }),
  count: Type.Integer(),
});
export type RequestCount = Static<typeof RequestCount>;

/** One minute of UDP traffic. Minutes without traffic are left out of `history`. */
export const StatsMinute = Type.Object({
  at: Type.Integer({ description: 'Start of the minute, unix milliseconds' }),
  requests: Type.Record(Type.String(), Type.Number(), { description: 'Requests per command name', example: { check: 120, write: 3 } }),
  hits: Type.Integer(),
  invalid: Type.Integer(),
  denied: Type.Integer(),
});
export type StatsMinute = Static<typeof StatsMinute>;

export const StatsResponse = Type.Object({
  startedAt: Type.Integer({ description: 'Unix milliseconds' }),
  uptimeSeconds: Type.Integer(),
  hashes: Type.Object({
    total: Type.Integer(),
    byFlag: Type.Array(Type.Object({ flag: Type.Integer(), name: Nullable(Type.String()), count: Type.Integer() })),
  }),
  requests: Type.Array(RequestCount, { description: 'UDP requests since start, per command and result' }),
  invalid: Type.Integer({ description: 'Datagrams that could not be decoded' }),
  blocked: Type.Integer({ description: 'Datagrams from blocked networks (dropped unanswered)' }),
  denied: Type.Integer({ description: 'Writes refused (source not in allow-update, or read-only mode)' }),
  duplicates: Type.Integer({ description: 'Retransmitted requests answered from the retransmit cache' }),
  history: Type.Array(StatsMinute, { description: 'Per-minute buckets, oldest first, covering [historyFrom, historyTo)' }),
  historyFrom: Type.Integer({ description: 'Unix ms, start of the history window' }),
  historyTo: Type.Integer({ description: 'Unix ms, end of the history window (exclusive)' }),
});
export type StatsResponse = Static<typeof StatsResponse>;

/** How far back the per-minute history goes. */
export const STATS_HISTORY_MINUTES = 24 * 60;

export const StatsQuery = Type.Object(
  { minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: STATS_HISTORY_MINUTES, description: `History window, 1..${STATS_HISTORY_MINUTES} (default all)` })) },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

/** `GET /api/v1/stats/keys`: requests per server key since start (docs/spec/access-controls.md §11). */
export const KeyRefusals = Type.Object({
  ratelimited: Type.Integer({ description: 'Over a network or key rate limit (CHECK 403; PING/STAT unanswered)' }),
  forbidden: Type.Integer({ description: "Refused by the key's rights, allow_update, read_only or encrypted_only" }),
  expired: Type.Integer({ description: 'CHECKs to a key past its `expire` date' }),
  overloaded: Type.Integer({ description: "Refused because a queue was full (write queue, or a UDP thread's queue to the main thread)" }),
});
export type KeyRefusals = Static<typeof KeyRefusals>;

export const KeyRequestStats = Type.Object({
  row: Type.Union([Type.Literal('key'), Type.Literal('plaintext'), Type.Literal('other')], {
    description: '`key`: one server key; `plaintext`: unencrypted requests; `other`: keys past the bound of the table (maxKeys)',
  }),
  id: Nullable(Type.String({ description: 'The id of the key (zbase32 BLAKE2b-512 of its public key), as GET /keys lists it' })),
  name: Nullable(Type.String({ description: '`extensions.name`' })),
  pubkeyStart: Nullable(Type.String({ description: 'The first 12 characters of the public key (zbase32)' })),
  source: Nullable(Type.Union([Type.Literal('static'), Type.Literal('dynamic'), Type.Literal('admin')])),
  inRing: Type.Boolean({ description: 'The key is configured now (false: it left the dynamic map, its counts stay)' }),
  requests: Type.Integer({ description: 'Every request counted in this row' }),
  checks: Type.Integer({ description: 'CHECK requests answered, refused or failed' }),
  hits: Type.Integer({ description: 'CHECKs answered with a hit the client was shown' }),
  misses: Type.Integer({ description: 'CHECKs answered with a miss (delayed and forbidden hits included)' }),
  writes: Type.Integer({ description: 'WRITEs committed' }),
  deletes: Type.Integer({ description: 'DELs committed (whether the hash was there or not)' }),
  refused: KeyRefusals,
  skipped: Type.Integer({ description: 'Answered 401 because of skip_hashes (WRITE, or a CHECK hit)' }),
  errors: Type.Integer({ description: 'The store failed (CHECK answered as a miss, WRITE/DEL 500)' }),
  other: Type.Integer({ description: 'PING and STAT answered' }),
});
export type KeyRequestStats = Static<typeof KeyRequestStats>;

export const KeyStatsResponse = Type.Object({
  maxKeys: Type.Integer({ description: 'Distinct keys counted on their own row; later ones count under `other`' }),
  keys: Type.Array(KeyRequestStats, {
    description: 'plaintext first, then every configured key in GET /keys order, keys that left with their counts, then other',
  }),
});
export type KeyStatsResponse = Static<typeof KeyStatsResponse>;

/** `GET /api/v1/stats/flags`: requests per flag since start. */
export const FlagRequestStats = Type.Object({
  flag: Nullable(Type.Integer({ description: 'null: the `other` row, flags past the per-thread table' })),
  name: Nullable(Type.String()),
  hits: Type.Integer({ description: 'CHECK replies that showed this flag (each flag of a multi-flag reply counts)' }),
  writes: Type.Integer({ description: 'WRITEs of this flag committed' }),
  deletes: Type.Integer({ description: 'DELs sent with this flag committed' }),
  refused: Type.Integer({ description: 'WRITEs/DELs of this flag refused (rights, allow_update, read_only, skip_hashes, full queue, encrypted_only)' }),
});
export type FlagRequestStats = Static<typeof FlagRequestStats>;

export const FlagStatsResponse = Type.Object({
  flags: Type.Array(FlagRequestStats, { description: 'Flags with any count, by flag number, then `other`' }),
});
export type FlagStatsResponse = Static<typeof FlagStatsResponse>;
