import { api } from '../../../lib/api';
import type { KeyStatsResponse } from '../../../lib/api-types';

export function fetchKeyStats(signal?: AbortSignal): Promise<KeyStatsResponse> {
  return api.get<KeyStatsResponse>('/stats/keys', { signal });
}
