import { useState } from 'react';
import { Link } from 'react-router';
import { Button } from '../../../components/ui/button';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import type { FlagInfo } from '../../../lib/api-types';
import { formatInt } from '../../../lib/format';
import { useAction, useQuery } from '../../../lib/use-query';
import { fetchFlags, removeFlagName } from '../api/flags-api';
import { FlagFormDialog } from './flag-form-dialog';
import { FlagStatsTable } from './flag-stats-table';

const COLUMNS: DataTableColumn[] = [
  { header: 'Flag', className: 'num' },
  { header: 'Name' },
  { header: 'Description', className: 'hide-narrow' },
  { header: 'Hashes', className: 'num' },
  { header: 'Actions', hiddenHeader: true },
];

export function FlagsPage() {
  const flags = useQuery('flags', (signal) => fetchFlags(signal));
  const [editing, setEditing] = useState<FlagInfo | null>(null);
  const [formOpen, setFormOpen] = useState(false);
  const [unnaming, setUnnaming] = useState<FlagInfo | null>(null);
  const unname = useAction((flag: number) => removeFlagName(flag));

  const total = (flags.data ?? []).reduce((a, f) => a + f.count, 0);
  return (
    <>
      <PageHeader
        title="Flags"
        description="Flags in use and their names. rspamd's fuzzy_map maps each flag to a symbol."
        actions={
          <Button
            variant="primary"
            onClick={() => {
              setEditing(null);
              setFormOpen(true);
            }}
          >
            Name a flag
          </Button>
        }
      />
      <QueryStatus query={flags} context="Could not load the flags" />
      {flags.data && flags.data.length === 0 && <p className="empty">No hashes and no named flags yet.</p>}
      {flags.data && flags.data.length > 0 && (
        <DataTable
          columns={COLUMNS}
          rows={flags.data}
          caption="Flags"
          footer={
            <tr>
              <th scope="row" colSpan={3}>
                Total <span className="muted">(a hash with several flags counts under each)</span>
              </th>
              <td className="num">{formatInt(total)}</td>
              <td />
            </tr>
          }
        >
          {(f) => (
            <tr key={f.flag}>
              <th scope="row" className="num">
                {f.flag}
              </th>
              <td>{f.name ?? <span className="muted">unnamed</span>}</td>
              <td className="hide-narrow">{f.description ?? ''}</td>
              <td className="num">
                <Link to={`/hashes?flag=${f.flag}`} aria-label={`${formatInt(f.count)} hashes with flag ${f.flag}`}>
                  {formatInt(f.count)}
                </Link>
              </td>
              <td className="actions">
                <Button
                  size="small"
                  variant="ghost"
                  onClick={() => {
                    setEditing(f);
                    setFormOpen(true);
                  }}
                  aria-label={`Edit flag ${f.flag}`}
                >
                  Edit
                </Button>
                {f.name && (
                  <Button size="small" variant="ghost" onClick={() => setUnnaming(f)} aria-label={`Remove the name of flag ${f.flag}`}>
                    Unname
                  </Button>
                )}
              </td>
            </tr>
          )}
        </DataTable>
      )}
      <FlagStatsTable />
      <FlagFormDialog
        open={formOpen}
        editing={editing}
        onClose={() => setFormOpen(false)}
        onSaved={() => {
          setFormOpen(false);
          flags.refetch();
        }}
      />
      <ConfirmDialog
        open={unnaming !== null}
        title="Remove the flag's name?"
        confirmLabel="Remove name"
        action={unname}
        onCancel={() => setUnnaming(null)}
        onConfirm={async () => {
          if (unnaming && (await unname.run(unnaming.flag)).ok) {
            setUnnaming(null);
            flags.refetch();
          }
        }}
      >
        <p>The hashes keep flag {unnaming?.flag}; only its name and description are removed.</p>
      </ConfirmDialog>
    </>
  );
}
