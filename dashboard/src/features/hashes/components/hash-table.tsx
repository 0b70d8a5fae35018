import { Link } from 'react-router';
import { Button } from '../../../components/ui/button';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import type { HashItem } from '../../../lib/api-types';
import { formatUnixSeconds, shortDigest } from '../../../lib/format';
import { FlagChips } from './flag-chips';

const COLUMNS: DataTableColumn[] = [
  { header: 'Digest' },
  { header: 'Flags' },
  { header: 'Last write', className: 'hide-narrow' },
  { header: 'Shingles', className: 'num hide-narrow' },
  { header: 'Actions', hiddenHeader: true },
];

export interface HashTableProps {
  items: HashItem[];
  /** Query string of the list, kept in the detail link so "back" returns to the same filter. */
  listSearch: string;
  onDelete: (item: HashItem) => void;
  canEdit?: boolean;
}

export function HashTable({ items, listSearch, onDelete, canEdit = true }: HashTableProps) {
  return (
    <DataTable columns={COLUMNS} rows={items} caption="Stored hashes in digest order" className="hash-table">
      {(h) => (
        <tr key={h.digest}>
          <th scope="row" className="mono nowrap">
            <Link to={`/hashes/${h.digest}`} state={{ listSearch }} title={h.digest} aria-label={`Hash ${h.digest.slice(0, 16)}…`}>
              <span className="digest-wide">{shortDigest(h.digest, 12, 6)}</span>
              <span className="digest-narrow" aria-hidden="true">
                {shortDigest(h.digest, 8, 4)}
              </span>
            </Link>
          </th>
          <td>
            <FlagChips flags={h.flags} />
          </td>
          <td className="hide-narrow nowrap">{formatUnixSeconds(h.time)}</td>
          <td className="num hide-narrow">{h.shingles}</td>
          <td className="actions">
            {canEdit && (
              <Button size="small" variant="ghost" onClick={() => onDelete(h)} aria-label={`Delete hash ${h.digest.slice(0, 16)}…`}>
                Delete
              </Button>
            )}
          </td>
        </tr>
      )}
    </DataTable>
  );
}
