import { Badge } from '../../../components/ui/badge';
import { Card } from '../../../components/ui/card';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { QueryStatus } from '../../../components/ui/query-status';
import type { KeyRequestStats } from '../../../lib/api-types';
import { formatInt } from '../../../lib/format';
import { useQuery } from '../../../lib/use-query';
import { fetchKeyStats } from '../api/key-stats-api';

/** The counters move with traffic; a slow poll keeps the table current without loading the server. */
export const KEY_STATS_REFRESH_MS = 10_000;

const COLUMNS: DataTableColumn[] = [
  { header: 'Key' },
  { header: 'CHECKs', className: 'num' },
  { header: 'Hits', className: 'num' },
  { header: 'Misses', className: 'num hide-narrow' },
  { header: 'Writes', className: 'num' },
  { header: 'Deletes', className: 'num hide-narrow' },
  { header: 'Refused', className: 'num' },
  { header: 'Errors', className: 'num hide-narrow' },
];

function keyCell(k: KeyRequestStats) {
  if (k.row === 'plaintext') return <span>plaintext <span className="muted">(no key)</span></span>;
  if (k.row === 'other') return <span title="Keys past the table's bound count here">other keys</span>;
  return (
    <span title={k.id ?? undefined}>
      {k.name ?? <span className="muted">unnamed</span>} <code>{k.pubkeyStart}…</code> {!k.inRing && <Badge tone="warn" title="No longer configured; its counts stay">removed</Badge>}
    </span>
  );
}

function refusedTitle(k: KeyRequestStats): string {
  const { ratelimited, forbidden, expired, overloaded } = k.refused;
  return `rate-limited ${ratelimited}, forbidden ${forbidden}, expired ${expired}, queue full ${overloaded}, skip_hashes ${k.skipped}`;
}

/** Requests per server key since start (GET /stats/keys): its own component, so the Keys page only places it. */
export function KeyStatsTable() {
  const stats = useQuery('stats/keys', (signal) => fetchKeyStats(signal), { intervalMs: KEY_STATS_REFRESH_MS });
  return (
    <Card title="Requests per key since start" className="section-gap">
      <QueryStatus query={stats} context="Could not load the per-key counts" />
      {stats.data && (
        <DataTable columns={COLUMNS} rows={stats.data.keys} caption="Requests per key">
          {(k) => {
            const refused = k.refused.ratelimited + k.refused.forbidden + k.refused.expired + k.refused.overloaded + k.skipped;
            return (
              <tr key={k.id ?? k.row}>
                <th scope="row">{keyCell(k)}</th>
                <td className="num">{formatInt(k.checks)}</td>
                <td className="num">{formatInt(k.hits)}</td>
                <td className="num hide-narrow">{formatInt(k.misses)}</td>
                <td className="num">{formatInt(k.writes)}</td>
                <td className="num hide-narrow">{formatInt(k.deletes)}</td>
                <td className="num" title={refusedTitle(k)}>
                  {formatInt(refused)}
                </td>
                <td className="num hide-narrow">{formatInt(k.errors)}</td>
              </tr>
            );
          }}
        </DataTable>
      )}
    </Card>
  );
}
