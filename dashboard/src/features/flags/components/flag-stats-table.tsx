import { Card } from '../../../components/ui/card';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { QueryStatus } from '../../../components/ui/query-status';
import { formatInt } from '../../../lib/format';
import { useQuery } from '../../../lib/use-query';
import { fetchFlagStats } from '../api/flag-stats-api';
import { flagLabel } from '../api/flags-api';

export const FLAG_STATS_REFRESH_MS = 10_000;

const COLUMNS: DataTableColumn[] = [
  { header: 'Flag' },
  { header: 'Hits', className: 'num' },
  { header: 'Writes', className: 'num' },
  { header: 'Deletes', className: 'num' },
  { header: 'Refused', className: 'num' },
];

/** Requests per flag since start (GET /stats/flags), beside the Flags page's hash counts. */
export function FlagStatsTable() {
  const stats = useQuery('stats/flags', (signal) => fetchFlagStats(signal), { intervalMs: FLAG_STATS_REFRESH_MS });
  return (
    <Card title="Requests per flag since start" className="section-gap">
      <QueryStatus query={stats} context="Could not load the per-flag counts" />
      {stats.data && (
        <DataTable
          columns={COLUMNS}
          rows={stats.data.flags}
          caption="Requests per flag"
          emptyRow="No CHECK hit, write or delete since start."
        >
          {(f) => (
            <tr key={f.flag ?? 'other'}>
              <th scope="row">{f.flag === null ? <span title="Flags past the per-thread table count here">other flags</span> : flagLabel(f.flag, f.name)}</th>
              <td className="num">{formatInt(f.hits)}</td>
              <td className="num">{formatInt(f.writes)}</td>
              <td className="num">{formatInt(f.deletes)}</td>
              <td className="num" title="WRITEs and DELs of this flag refused">
                {formatInt(f.refused)}
              </td>
            </tr>
          )}
        </DataTable>
      )}
    </Card>
  );
}
