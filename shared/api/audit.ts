import Type, { type Static } from 'typebox';
import { DigestHex, Nullable, Text } from './formats.js';

/** `GET /api/v1/audit`: who changed what, newest first. */

export const AUDIT_MAX_LIMIT = 1000;

export const AuditQuery = Type.Object(
  {
    digest: Type.Optional(DigestHex),
    actor: Type.Optional(Text(200, { description: 'A token (`token:ci`), a key (`key:mta`) or a source address, matched exactly', example: 'token:admin' })),
    since: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,3})?)?(Z|[+-]\\d{2}:\\d{2}))?$',
        description: 'Only changes at or after this time: an RFC 3339 date-time (`2026-12-01T00:00:00Z`) or a date',
        'x-error': 'must be an RFC 3339 date-time such as 2026-12-01T00:00:00Z, or a date',
      }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_MAX_LIMIT, default: 100 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditEntry = Type.Object({
  time: Type.String({ format: 'date-time' }),
  via: Type.Union([Type.Literal('udp'), Type.Literal('tcp'), Type.Literal('api')]),
  actor: Type.String({ description: 'token:<name> for the API; key:<name> for an encrypted fuzzy request, else its source address' }),
  source: Nullable(Type.String({ description: 'The address the change came from' })),
  action: Type.String({ description: '`write`, `del`, `set` for a hash; `<METHOD> <route>` for other admin changes' }),
  outcome: Nullable(Type.String({ description: 'added, updated, reflagged, deleted (a hash), ok (others)' })),
  digest: Nullable(DigestHex),
  flag: Nullable(Type.Integer()),
  value: Nullable(Type.Integer()),
  detail: Nullable(Type.String()),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditPage = Type.Object({ items: Type.Array(AuditEntry) });
export type AuditPage = Static<typeof AuditPage>;
