import { Link } from 'react-router';
import { Button } from '../../../components/ui/button';
import type { HashItem } from '../../../lib/api-types';
import { formatInt, formatUnixSeconds, shortDigest } from '../../../lib/format';
import { flagLabel } from '../../flags/api/flags-api';

export interface HashTableProps {
  items: HashItem[];
  /** Query string of the list, kept in the detail link so "back" returns to the same filter. */
  listSearch: string;
  onDelete: (item: HashItem) => void;
  canEdit?: boolean;
}

export function HashTable({ items, listSearch, onDelete, canEdit = true }: HashTableProps) {
  return (
    <div className="table-scroll">
      <table className="table hash-table">
        <caption className="visually-hidden">Stored hashes in digest order</caption>
        <thead>
          <tr>
            <th scope="col">Digest</th>
            <th scope="col">Flag</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col" className="hide-narrow">
              Last write
            </th>
            <th scope="col" className="num hide-narrow">
              Shingles
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((h) => (
            <tr key={h.digest}>
              <th scope="row" className="mono nowrap">
                <Link to={`/hashes/${h.digest}`} state={{ listSearch }} title={h.digest} aria-label={`Hash ${h.digest.slice(0, 16)}…`}>
                  <span className="digest-wide">{shortDigest(h.digest, 12, 6)}</span>
                  <span className="digest-narrow" aria-hidden="true">
                    {shortDigest(h.digest, 8, 4)}
                  </span>
                </Link>
              </th>
              <td>{flagLabel(h.flag, h.flagName)}</td>
              <td className="num">{formatInt(h.value)}</td>
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
          ))}
        </tbody>
      </table>
    </div>
  );
}
