import { api } from '../../../lib/api';
import type { FlagStatsResponse } from '../../../lib/api-types';

export function fetchFlagStats(signal?: AbortSignal): Promise<FlagStatsResponse> {
  return api.get<FlagStatsResponse>('/stats/flags', { signal });
}
