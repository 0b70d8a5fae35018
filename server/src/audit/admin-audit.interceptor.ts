import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { type Observable, tap } from 'rxjs';
import { AUDIT_LOG, type AuditLog } from './audit-log.js';
import { requestAudit } from './request-audit.js';

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/**
 * Routes whose changes are not recorded here: a hash's own changes are recorded by the store, per digest and in the
 * transaction that makes them (audit-row.ts); a lookup changes nothing.
 */
const RECORDED_ELSEWHERE = new Set(['POST /api/v1/hashes', 'PATCH /api/v1/hashes/:digest', 'DELETE /api/v1/hashes/:digest', 'POST /api/v1/lookup']);
/** Body fields never recorded, whatever the route (a secret must not land in the trail). */
const SECRET_FIELD = /secret|token|password|privkey|key$/i;
const MAX_DETAIL = 500;

/**
 * Every other successful admin change (flags, networks, tokens, rate-limit lifts, imports, neural jobs) leaves one row:
 * the token, the route, its parameters and the body's scalar fields. One place for every controller, so a new route
 * is recorded without anyone remembering to.
 */
@Injectable()
export class AdminAuditInterceptor implements NestInterceptor {
  constructor(@Inject(AUDIT_LOG) private readonly audit: AuditLog) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = request.routeOptions?.url ?? '';
    const action = `${request.method} ${route}`;
    if (!CHANGES.has(request.method) || !route.startsWith('/api/') || RECORDED_ELSEWHERE.has(action)) return next.handle();
    return next.handle().pipe(
      tap((answer) => {
        const who = requestAudit(request);
        this.audit.append({
          timeMs: Date.now(),
          ...who,
          action,
          outcome: 'ok',
          digest: null,
          flag: null,
          value: null,
          detail: describe(request, action === 'POST /api/v1/hashes/import' ? answer : undefined),
        });
      }),
    );
  }
}

/** The route's parameters and query, the body's scalar fields (not secrets), and an import's counts. */
function describe(request: FastifyRequest, importResult: unknown): string | null {
  const parts: string[] = [];
  const scalars = (from: unknown): void => {
    if (!from || typeof from !== 'object' || Buffer.isBuffer(from) || typeof (from as { pipe?: unknown }).pipe === 'function') return;
    for (const [k, v] of Object.entries(from)) {
      if (SECRET_FIELD.test(k)) continue;
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(`${k}=${v}`);
    }
  };
  scalars(request.params);
  scalars(request.query);
  scalars(request.body);
  scalars(importResult);
  const text = parts.join(' ');
  return text === '' ? null : text.slice(0, MAX_DETAIL);
}
