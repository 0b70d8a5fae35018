import { createApiClient } from '../../../lib/api-client';
import type { FlagInfo } from '../../../lib/api-types';

/**
 * Checks a token before keeping it: any read-scoped route answers 401 for a bad token. `GET /flags` is the
 * cheapest one (the API has no "who am I" route).
 */
export async function verifyToken(token: string, fetchImpl?: typeof fetch): Promise<void> {
  const client = createApiClient({ getToken: () => token, fetch: fetchImpl });
  await client.get<FlagInfo[]>('/flags');
}
