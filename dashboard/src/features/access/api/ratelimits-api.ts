import { api } from '../../../lib/api';
import type { RateLimitState } from '../../../lib/api-types';

export function fetchRateLimits(signal?: AbortSignal): Promise<RateLimitState> {
  return api.get<RateLimitState>('/ratelimits', { signal });
}

export function liftRateLimit(network: string): Promise<void> {
  return api.delete(`/ratelimits?network=${encodeURIComponent(network)}`);
}
