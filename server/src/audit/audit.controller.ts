import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AUDIT_MAX_LIMIT, AuditEntry, AuditPage, AuditQuery } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { ValidationError } from '../common/api-error.js';
import { ApiQueries, schemaRef } from '../common/api-schemas.js';
import { checkQuery } from '../common/schema-input.js';
import { parseDigestHex } from '../common/validation.js';
import { AUDIT_LOG, type AuditLog } from './audit-log.js';
import type { AuditRow } from './audit-row.js';

/** The audit trail: who changed which hash (and which flag, network, token), by digest and by actor. */
@ApiTags('audit')
@Controller(`${API_V1}/audit`)
export class AuditController {
  constructor(@Inject(AUDIT_LOG) private readonly audit: AuditLog) {}

  @Get()
  @RequireScope('read')
  @ApiQueries(AuditQuery)
  @ApiOkResponse({ schema: schemaRef(AuditPage), description: `Changes, newest first (at most ${AUDIT_MAX_LIMIT})` })
  @ApiProblems(400)
  list(@Query() query: Record<string, unknown>): AuditPage {
    const q = checkQuery(AuditQuery, query);
    const sinceMs = q.since === undefined ? undefined : Date.parse(q.since);
    if (sinceMs !== undefined && Number.isNaN(sinceMs)) throw new ValidationError('since', `'${q.since}' is not a valid date`);
    const rows = this.audit.search({
      digest: q.digest === undefined ? undefined : parseDigestHex(q.digest),
      actor: q.actor?.trim(),
      sinceMs,
      limit: q.limit ?? 100,
    });
    return { items: rows.map(toEntry) };
  }
}

export function toEntry(row: AuditRow): AuditEntry {
  return {
    time: new Date(row.timeMs).toISOString(),
    via: row.via,
    actor: row.actor,
    source: row.source,
    action: row.action,
    outcome: row.outcome,
    digest: row.digest ? row.digest.toString('hex') : null,
    flag: row.flag,
    value: row.value,
    detail: row.detail,
  };
}
