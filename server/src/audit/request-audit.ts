import type { FastifyRequest } from 'fastify';
import { requestToken } from '../auth/api-auth.guard.js';
import type { AuditContext } from './audit-row.js';

/** Who an API request is, for the audit trail: its token's name (the guard attached it) and the client's address. */
export function requestAudit(request: FastifyRequest): AuditContext {
  const token = requestToken(request);
  return { via: 'api', actor: token ? `token:${token.name}` : 'anonymous', source: request.ip ?? null };
}
