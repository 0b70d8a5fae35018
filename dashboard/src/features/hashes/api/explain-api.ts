import { api } from '../../../lib/api';
import type { HashExplain } from '../../../lib/api-types';

export function getExplain(digest: string, signal?: AbortSignal): Promise<HashExplain> {
  return api.get<HashExplain>(`/hashes/${encodeURIComponent(digest)}/explain`, { signal });
}
