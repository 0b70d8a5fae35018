import { api } from '../../../lib/api';
import type { KeyInfo } from '../../../lib/api-types';

export function fetchKeys(signal?: AbortSignal): Promise<KeyInfo[]> {
  return api.get<KeyInfo[]>('/keys', { signal });
}
