import { api } from '../../../lib/api';
import type { KeyCreate, KeyCreated, KeyInfo, KeyPatch } from '../../../lib/api-types';

export function fetchKeys(signal?: AbortSignal): Promise<KeyInfo[]> {
  return api.get<KeyInfo[]>('/keys', { signal });
}

/** The answer holds the generated private key: the only time anything shows it. */
export function createKey(body: KeyCreate): Promise<KeyCreated> {
  return api.post<KeyCreated>('/keys', body);
}

export function patchKey(id: string, body: KeyPatch): Promise<KeyInfo> {
  return api.patch<KeyInfo>(`/keys/${encodeURIComponent(id)}`, body);
}

export function deleteKey(id: string): Promise<void> {
  return api.delete(`/keys/${encodeURIComponent(id)}`);
}
