import { api } from '../../../lib/api';
import type { AuditPage } from '../../../lib/api-types';

export function fetchAudit(query: { digest?: string; actor?: string; limit?: number }, signal?: AbortSignal): Promise<AuditPage> {
  return api.get<AuditPage>('/audit', { query, signal });
}
