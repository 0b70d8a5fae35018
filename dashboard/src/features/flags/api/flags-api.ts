import { api } from '../../../lib/api';
import type { FlagInfo, FlagUpdate } from '../../../lib/api-types';

export function fetchFlags(signal?: AbortSignal): Promise<FlagInfo[]> {
  return api.get<FlagInfo[]>('/flags', { signal });
}

export function updateFlag(flag: number, body: FlagUpdate): Promise<FlagInfo> {
  return api.put<FlagInfo>(`/flags/${flag}`, body);
}

export function removeFlagName(flag: number): Promise<void> {
  return api.delete(`/flags/${flag}`);
}

/** "spam (1)" or "flag 7". */
export function flagLabel(flag: number, name: string | null | undefined): string {
  return name ? `${name} (${flag})` : `flag ${flag}`;
}
