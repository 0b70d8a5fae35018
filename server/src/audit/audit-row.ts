import type { UpdateOp, UpdateStatus } from '../fuzzy/fuzzy-backend.js';

/** How a change reached fuzzyd. */
export type AuditVia = 'udp' | 'tcp' | 'api';

/**
 * Who made a change: `actor` is a token's name (`token:ci`), a server key's name (`key:mta-keys`) or, for a plaintext
 * fuzzy request, the source address; `source` is the address it came from. `detail` says more (`import`).
 */
export interface AuditContext {
  via: AuditVia;
  actor: string;
  source: string | null;
  detail?: string;
}

/** One row of the trail (audit-schema.ts). */
export interface AuditRow {
  timeMs: number;
  via: AuditVia;
  actor: string;
  source: string | null;
  /** `write`, `del`, `set` for fuzzy updates; `<resource>.<verb>` for other admin changes (`flag.put`, `network.add`). */
  action: string;
  /** What the update did (`added`, `updated`, `reflagged`, `deleted`); null for other changes. */
  outcome: string | null;
  digest: Buffer | null;
  flag: number | null;
  value: number | null;
  detail: string | null;
}

/**
 * The row an update leaves, or null when it changed nothing (a DEL of an unknown digest). `flag`/`value` are what the
 * request asked for (a WRITE's, an edit's primary slot), or for a DEL the primary slot it removed.
 */
export function auditRowOfUpdate(
  op: UpdateOp,
  result: { status: UpdateStatus; flag: number; value: number },
  context: AuditContext,
  timeMs: number,
): AuditRow | null {
  if (result.status === 'not-found') return null;
  const asked =
    op.kind === 'write'
      ? { flag: op.flag, value: op.value }
      : op.kind === 'set'
        ? { flag: op.flags?.[0]?.flag ?? op.flag ?? result.flag, value: op.flags?.[0]?.value ?? op.value ?? result.value }
        : { flag: result.flag, value: result.value };
  const detail = op.kind === 'set' && op.flags ? [context.detail, `flags ${op.flags.map((f) => `${f.flag}:${f.value}`).join(',')}`].filter(Boolean).join('; ') : (context.detail ?? null);
  return {
    timeMs,
    via: context.via,
    actor: context.actor,
    source: context.source,
    action: op.kind,
    outcome: result.status,
    digest: Buffer.from(op.digest),
    flag: asked.flag,
    value: Math.trunc(asked.value),
    detail,
  };
}

/** A row's parameters in AUDIT_COLUMNS order. */
export function auditParams(row: AuditRow): unknown[] {
  return [row.timeMs, row.via, row.actor, row.source, row.action, row.outcome, row.digest, row.flag, row.value, row.detail];
}
