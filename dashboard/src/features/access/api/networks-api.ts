import { api } from '../../../lib/api';
import { NetworkCreate, schemaProblem } from '../../../lib/api-schemas';
import type { NetworkItem, NetworkListName } from '../../../lib/api-types';

export function listNetworks(list: NetworkListName, signal?: AbortSignal): Promise<NetworkItem[]> {
  return api.get<NetworkItem[]>(`/${list}`, { signal });
}

export function addNetwork(list: NetworkListName, body: NetworkCreate): Promise<NetworkItem> {
  return api.post<NetworkItem>(`/${list}`, body);
}

export function removeNetwork(list: NetworkListName, id: string): Promise<void> {
  return api.delete(`/${list}/${encodeURIComponent(id)}`);
}

/**
 * What the form checks before asking the server: presence and shape, with the API's NetworkCreate schema for the
 * bounds. The server parses the address itself and its message (shown inline as well) is the authority.
 */
export function cidrFormError(text: string): string | null {
  const t = text.trim();
  if (t === '') return 'Enter an IP address or a network (CIDR)';
  if (/[\s,;]/.test(t)) return 'One address or network per entry (no spaces or commas)';
  const problem = schemaProblem(NetworkCreate, { cidr: t });
  return problem ? `${problem.message.charAt(0).toUpperCase()}${problem.message.slice(1)}` : null;
}
