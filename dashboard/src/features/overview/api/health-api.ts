import type { HealthResponse } from '../../../lib/api-types';

/**
 * `/health` (outside /api/v1, no token): a degraded fuzzyd answers 503 with the same body, which is what the overview
 * wants to show, so the status code is not an error here.
 */
export async function fetchHealth(signal: AbortSignal): Promise<HealthResponse> {
  const res = await fetch('/health', { signal, headers: { accept: 'application/json' } });
  if (res.status !== 200 && res.status !== 503) throw new Error(`/health answered ${res.status}`);
  return (await res.json()) as HealthResponse;
}
