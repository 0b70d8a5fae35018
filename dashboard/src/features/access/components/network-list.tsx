import { type FormEvent, useState } from 'react';
import { Button } from '../../../components/ui/button';
import { Badge } from '../../../components/ui/badge';
import { Card } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { ErrorMessage } from '../../../components/ui/error-message';
import { Field } from '../../../components/ui/field';
import { QueryStatus } from '../../../components/ui/query-status';
import { ApiError } from '../../../lib/api-client';
import type { NetworkItem, NetworkListName } from '../../../lib/api-types';
import { formatUnixSeconds } from '../../../lib/format';
import { useAction, useQuery } from '../../../lib/use-query';
import { addNetwork, cidrFormError, listNetworks, removeNetwork } from '../api/networks-api';

const COLUMNS: DataTableColumn[] = [
  { header: 'Network' },
  { header: 'Comment' },
  { header: 'Source', className: 'hide-narrow' },
  { header: 'Added', className: 'hide-narrow' },
  { header: 'Actions', hiddenHeader: true },
];

export interface NetworkListProps {
  list: NetworkListName;
  title: string;
  description: string;
  envName: string;
}

/** One access map: its entries, an add form with inline errors, and removal with confirmation. */
export function NetworkList({ list, title, description, envName }: NetworkListProps) {
  const entries = useQuery(`networks|${list}`, (signal) => listNetworks(list, signal));
  const [cidr, setCidr] = useState('');
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<{ cidr?: string; comment?: string }>({});
  const [formError, setFormError] = useState<Error | null>(null);
  const [adding, setAdding] = useState(false);
  const [toRemove, setToRemove] = useState<NetworkItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const remove = useAction((id: string) => removeNetwork(list, id));

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setFormError(null);
    setNotice(null);
    const cidrError = cidrFormError(cidr);
    setErrors(cidrError ? { cidr: cidrError } : {});
    if (cidrError) return;
    setAdding(true);
    try {
      const added = await addNetwork(list, { cidr: cidr.trim(), comment: comment.trim() || null });
      setCidr('');
      setComment('');
      setNotice(`Added ${added.cidr}.`);
      entries.refetch();
    } catch (err) {
      const field = err instanceof ApiError ? err.fieldErrors.find((f) => f.field === 'cidr' || f.field === 'comment') : undefined;
      if (field) setErrors({ [field.field]: field.message });
      else setFormError(err as Error);
    } finally {
      setAdding(false);
    }
  };

  const headingId = `${list}-heading`;
  return (
    <Card title={<span id={headingId}>{title}</span>}>
      <p className="muted">{description}</p>
      <QueryStatus query={entries} context="Could not load the list" />
      {entries.data && (
        <DataTable columns={COLUMNS} rows={entries.data} labelledBy={headingId} emptyRow="No entries.">
          {(n) => (
            <tr key={n.id}>
              <th scope="row" className="mono">
                {n.cidr}
              </th>
              <td>{n.comment ?? ''}</td>
              <td className="hide-narrow">{n.source === 'config' ? <Badge title={`From ${envName}; change the configuration to remove it`}>config</Badge> : <Badge tone="info">API</Badge>}</td>
              <td className="hide-narrow nowrap">{formatUnixSeconds(n.createdAt)}</td>
              <td className="actions">
                {n.readOnly ? (
                  <span className="muted small" title={`Set by ${envName}`}>
                    read-only
                  </span>
                ) : (
                  <Button size="small" variant="ghost" onClick={() => setToRemove(n)} aria-label={`Remove ${n.cidr}`}>
                    Remove
                  </Button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      )}
      <form className="inline-form" onSubmit={submit} noValidate aria-label={`Add to ${title}`}>
        <Field label="Network" error={errors.cidr} hint="IPv4/IPv6 address or CIDR">
          <input name="cidr" className="mono" autoComplete="off" spellCheck={false} placeholder="192.0.2.0/24" value={cidr} onChange={(e) => {
              setCidr(e.target.value);
              setErrors((errs) => ({ ...errs, cidr: undefined }));
            }} />
        </Field>
        <Field label="Comment" error={errors.comment} className="field-grow">
          <input name="comment" maxLength={200} value={comment} onChange={(e) => setComment(e.target.value)} />
        </Field>
        <Button type="submit" variant="primary" busy={adding} className="inline-form-submit">
          Add
        </Button>
      </form>
      {notice && (
        <p className="alert alert-success" role="status">
          {notice}
        </p>
      )}
      <ErrorMessage error={formError} context="Could not add the network" />
      <ConfirmDialog
        open={toRemove !== null}
        title={`Remove ${toRemove?.cidr ?? ''}?`}
        confirmLabel="Remove"
        action={remove}
        onCancel={() => setToRemove(null)}
        onConfirm={async () => {
          if (!toRemove) return;
          if ((await remove.run(toRemove.id)).ok) {
            setNotice(`Removed ${toRemove.cidr}.`);
            setToRemove(null);
            entries.refetch();
          }
        }}
      >
        <p>{list === 'allow-update' ? 'Sources in this network can no longer write or delete hashes over UDP.' : 'Datagrams from this network are answered again.'} The change applies to the next datagram.</p>
      </ConfirmDialog>
    </Card>
  );
}
