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
