import { Badge } from '../../../components/ui/badge';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import type { KeyInfo } from '../../../lib/api-types';
import { useQuery } from '../../../lib/use-query';
import { fetchKeys } from '../api/keys-api';
import { KeyStatsTable } from './key-stats-table';

const COLUMNS: DataTableColumn[] = [
  { header: 'Name' },
  { header: 'Public key' },
  { header: 'Source', className: 'hide-narrow' },
  { header: 'May' },
  { header: 'Expires', className: 'hide-narrow' },
  { header: 'Forbidden flags', className: 'hide-narrow' },
];

/** What a client encrypting to this key may do, as the request handler decides it (rights, allow_update_keys). */
function mayText(k: KeyInfo): string {
  const ops = [k.rights.read && 'check', (k.rights.write || k.allowUpdate) && 'write', (k.rights.delete || k.allowUpdate) && 'delete'].filter(Boolean);
  return ops.length > 0 ? ops.join(', ') : 'nothing';
}

export function KeysPage() {
  const keys = useQuery('keys', (signal) => fetchKeys(signal));
  return (
    <>
      <PageHeader
        title="Keys"
        description="The server's encryption keys: clients set a public key as the rule's encryption_key. Writes by key need allow_update to be empty."
      />
      <QueryStatus query={keys} context="Could not load the keys" />
      {keys.data && keys.data.length === 0 && <p className="empty">No keys: fuzzyd answers plaintext requests only (FUZZYD_KEYPAIR, keypair blocks, dynamic_keys_map).</p>}
      {keys.data && keys.data.length > 0 && (
        <DataTable columns={COLUMNS} rows={keys.data} caption="Keys">
          {(k) => (
            <tr key={k.id}>
              <th scope="row">
                {k.name ?? <span className="muted">unnamed</span>} {k.default && <Badge tone="info" title="Answers requests whose key id matches no key">default</Badge>}
              </th>
              <td>
                <code title={`id ${k.id}`}>{k.pubkey}</code>
              </td>
              <td className="hide-narrow">{k.source === 'static' ? 'configuration' : 'dynamic map'}</td>
              <td>
                {mayText(k)} {k.allowUpdate && <Badge tone="warn" title="Listed in allow_update_keys">allow_update_keys</Badge>}
              </td>
              <td className="hide-narrow">
                {k.expireAt === null ? <span className="muted">never</span> : k.expired ? <Badge tone="danger">expired {k.expireAt.slice(0, 10)}</Badge> : k.expireAt.slice(0, 10)}
              </td>
              <td className="hide-narrow">{k.forbiddenIds === null ? <span className="muted">server's list</span> : k.forbiddenIds.join(', ') || 'none'}</td>
            </tr>
          )}
        </DataTable>
      )}
      <KeyStatsTable />
    </>
  );
}
