import { Badge } from '../../../components/ui/badge';
import { Card } from '../../../components/ui/card';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import type { HealthResponse } from '../../../lib/api-types';
import { useQuery } from '../../../lib/use-query';
import { fetchHealth } from '../api/health-api';

const COLUMNS: DataTableColumn[] = [{ header: 'Use' }, { header: 'Role' }, { header: 'Server' }, { header: 'Found by' }, { header: 'State' }];
type RedisServer = NonNullable<HealthResponse['redis']>[number];

/** Which Redis is the primary (after a Sentinel failover: the one it promoted) and whether each server answers. */
export function RedisServersCard({ refreshMs }: { refreshMs: number }) {
  const health = useQuery('health', fetchHealth, { intervalMs: refreshMs });
  const servers = health.data?.redis;
  if (!servers || servers.length === 0) return null;
  return (
    <Card title="Redis">
      <DataTable columns={COLUMNS} rows={servers}>
        {(s: RedisServer) => (
          <tr key={`${s.use} ${s.role} ${s.address}`}>
            <th scope="row">{s.use === 'fuzzy' ? 'fuzzy store' : 'neural'}</th>
            <td>{s.role}</td>
            <td>
              <code>{s.address}</code>
            </td>
            <td>{s.via}</td>
            <td>{s.reachable ? <Badge tone="ok">reachable</Badge> : <Badge tone="danger">not answering</Badge>}</td>
          </tr>
        )}
      </DataTable>
      {servers.some((s) => s.use === 'fuzzy' && s.role === 'primary' && !s.reachable) && (
        <p className="field-hint">Without a primary, CHECKs are answered from replicas or as misses, and writes are refused until one answers.</p>
      )}
    </Card>
  );
}
