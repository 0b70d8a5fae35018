import { api } from '../../../lib/api';
import type { StatsResponse } from '../../../lib/api-types';

/** The overview polls only the last hour of per-minute buckets, not the whole 24 h the server keeps. */
export const OVERVIEW_MINUTES = 60;

export function fetchStats(signal: AbortSignal, minutes = OVERVIEW_MINUTES): Promise<StatsResponse> {
  return api.get<StatsResponse>('/stats', { query: { minutes }, signal });
}
