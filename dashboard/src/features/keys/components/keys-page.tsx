import { useState } from 'react';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import type { KeyCreated, KeyInfo } from '../../../lib/api-types';
import { useAction, useQuery } from '../../../lib/use-query';
import { deleteKey, fetchKeys, patchKey } from '../api/keys-api';
import { CreateKeyDialog } from './create-key-dialog';
import { KeySecretDialog } from './key-secret-dialog';
import { KeyStatsTable } from './key-stats-table';

const COLUMNS: DataTableColumn[] = [
  { header: 'Name' },
  { header: 'Public key' },
  { header: 'Source', className: 'hide-narrow' },
  { header: 'May' },
  { header: 'Expires', className: 'hide-narrow' },
  { header: 'Forbidden flags', className: 'hide-narrow' },
  { header: 'Actions', hiddenHeader: true },
];

const SOURCES: Record<KeyInfo['source'], string> = { static: 'configuration', dynamic: 'dynamic map', admin: 'API' };

/** A pending confirmation: disabling (any key) or deleting (a key made over the API). */
type Pending = { kind: 'disable' | 'delete'; key: KeyInfo } | null;

/** What a client encrypting to this key may do, as the request handler decides it (rights, allow_update_keys). */
function mayText(k: KeyInfo): string {
  const ops = [k.rights.read && 'check', (k.rights.write || k.allowUpdate) && 'write', (k.rights.delete || k.allowUpdate) && 'delete'].filter(Boolean);
  return ops.length > 0 ? ops.join(', ') : 'nothing';
}

const label = (k: KeyInfo): string => k.name ?? `${k.pubkey.slice(0, 12)}…`;

export function KeysPage() {
  const keys = useQuery('keys', (signal) => fetchKeys(signal));
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<KeyCreated | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const change = useAction(async (p: NonNullable<Pending>): Promise<void> => {
    if (p.kind === 'delete') await deleteKey(p.key.id);
    else await patchKey(p.key.id, { disabled: true });
  });
  const enable = useAction((k: KeyInfo) => patchKey(k.id, { disabled: false }));

  const confirm = async (): Promise<void> => {
    if (!pending) return;
    if ((await change.run(pending)).ok) {
      setNotice(`${pending.kind === 'delete' ? 'Deleted' : 'Disabled'} ${label(pending.key)}.`);
      setPending(null);
      keys.refetch();
    }
  };
  const enableKey = async (k: KeyInfo): Promise<void> => {
    if ((await enable.run(k)).ok) {
      setNotice(`Enabled ${label(k)}.`);
      keys.refetch();
    }
  };
  return (
    <>
      <PageHeader
        title="Keys"
        description="The server's encryption keys: clients set a public key as the rule's encryption_key. Writes by key need allow_update to be empty."
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            Add key
          </Button>
        }
      />
      <QueryStatus query={keys} context="Could not load the keys" />
      {notice && (
        <p className="alert alert-success" role="status">
          {notice}
        </p>
      )}
      {enable.error && <p className="alert alert-error">Could not enable the key: {enable.error.message}</p>}
      {keys.data && keys.data.length === 0 && (
        <p className="empty">No keys: fuzzyd answers plaintext requests only. Add one here, or in the configuration (FUZZYD_KEYPAIR, keypair blocks, dynamic_keys_map).</p>
      )}
      {keys.data && keys.data.length > 0 && (
        <DataTable columns={COLUMNS} rows={keys.data} caption="Keys">
          {(k) => (
            <tr key={k.id}>
              <th scope="row">
                {k.name ?? <span className="muted">unnamed</span>} {k.default && <Badge tone="info" title="Answers requests whose key id matches no key">default</Badge>}{' '}
                {k.disabled && <Badge tone="danger" title="Its checks and writes are refused">disabled</Badge>}
              </th>
              <td>
                <code title={`id ${k.id}`}>{k.pubkey}</code>
              </td>
              <td className="hide-narrow">{SOURCES[k.source]}</td>
              <td>
                {mayText(k)} {k.allowUpdate && <Badge tone="warn" title="Listed in allow_update_keys">allow_update_keys</Badge>}
              </td>
              <td className="hide-narrow">
                {k.expireAt === null ? <span className="muted">never</span> : k.expired ? <Badge tone="danger">expired {k.expireAt.slice(0, 10)}</Badge> : k.expireAt.slice(0, 10)}
              </td>
              <td className="hide-narrow">{k.forbiddenIds === null ? <span className="muted">server's list</span> : k.forbiddenIds.join(', ') || 'none'}</td>
              <td className="actions nowrap">
                {k.disabled ? (
                  <Button size="small" onClick={() => void enableKey(k)} busy={enable.pending} aria-label={`Enable ${label(k)}`}>
                    Enable
                  </Button>
                ) : (
                  <Button size="small" variant="ghost" onClick={() => setPending({ kind: 'disable', key: k })} aria-label={`Disable ${label(k)}`}>
                    Disable
                  </Button>
                )}
                {k.source === 'admin' && (
                  <Button size="small" variant="ghost" onClick={() => setPending({ kind: 'delete', key: k })} aria-label={`Delete ${label(k)}`}>
                    Delete
                  </Button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      )}
      <KeyStatsTable />
      <CreateKeyDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(result) => {
          setCreating(false);
          setCreated(result);
          setNotice(null);
          keys.refetch();
        }}
      />
      <KeySecretDialog created={created} onClose={() => setCreated(null)} />
      <ConfirmDialog
        open={pending !== null}
        title={pending ? `${pending.kind === 'delete' ? 'Delete' : 'Disable'} ${label(pending.key)}?` : ''}
        confirmLabel={pending?.kind === 'delete' ? 'Delete' : 'Disable'}
        action={change}
        onCancel={() => setPending(null)}
        onConfirm={() => void confirm()}
      >
        {pending?.kind === 'delete' ? (
          <p>Scanners encrypting to this key get no answer from the next request on, and the key cannot be brought back: its private half is gone.</p>
        ) : (
          <p>
            From the next request on, checks encrypted to this key are refused as an expired key&apos;s (scanners show FUZZY_FORBIDDEN, or FUZZY_BLOCKED on
            3.x), and its writes are refused. {pending?.key.source !== 'admin' && 'The configuration is not changed; the key stays disabled across restarts until enabled here.'}
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
