import { Badge } from '../../../components/ui/badge';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import type { NeuralProfileItem } from '../../../lib/api-types';
import { formatBytes, formatDuration } from '../../../lib/format';

const COLUMNS: DataTableColumn[] = [
  { header: 'Version', className: 'num' },
  { header: 'State' },
  { header: 'Symbols', className: 'num' },
  { header: 'ANN', className: 'num' },
  { header: 'PCA', className: 'hide-narrow' },
  { header: 'Expires in', className: 'hide-narrow' },
  { header: 'Redis key', className: 'hide-narrow' },
];

/** The ANN versions of a set, highest score first: the current one and those kept (max_profiles). */
export function ProfilesTable({ profiles, caption }: { profiles: NeuralProfileItem[]; caption: string }) {
  if (profiles.length === 0) {
    return <p className="muted">No profile yet: rspamd creates version 0 at its first scan for these settings.</p>;
  }
  return (
    <DataTable columns={COLUMNS} rows={profiles} caption={caption} className="table-compact">
      {(p) => (
        <tr key={p.redisKey} className={p.current ? 'row-current' : undefined}>
          <th scope="row" className="num">
            {p.version}
          </th>
          <td>
            {p.current ? (
              <Badge tone="ok">current</Badge>
            ) : p.obsolete ? (
              <Badge tone="warn" title="rspamd 4.x: a newer version was trained from this one; it takes no vectors and expires">
                obsolete
              </Badge>
            ) : (
              <Badge>kept</Badge>
            )}
            {p.providersDigest !== null && (
              <Badge tone="info" title={`Built from feature providers (${p.providersDigest}); fuzzyd does not train these`}>
                providers
              </Badge>
            )}
          </td>
          <td className="num">{p.symbols}</td>
          <td className="num nowrap">{p.hasAnn ? formatBytes(p.annBytes) : <span className="muted">none</span>}</td>
          <td className="hide-narrow">{p.pca ? 'yes' : 'no'}</td>
          <td className="hide-narrow nowrap">{p.ttl === null ? <span className="muted">no expiry</span> : formatDuration(p.ttl)}</td>
          <td className="hide-narrow mono small break">{p.redisKey}</td>
        </tr>
      )}
    </DataTable>
  );
}
