import { useCallback, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import type { HashItem, HashWriteResult } from '../../../lib/api-types';
import { formatInt, shortDigest } from '../../../lib/format';
import { useQuery } from '../../../lib/use-query';
import { fetchFlags } from '../../flags/api/flags-api';
import { listHashes } from '../api/hashes-api';
import { useCursorPagination } from '../hooks/use-cursor-pagination';
import { prefixError } from '../lib/hash-validation';
import { AddHashDialog } from './add-hash-dialog';
import { DeleteHashDialog } from './delete-hash-dialog';
import { ExportButton } from './export-button';
import { HashFilters, PAGE_SIZES } from './hash-filters';
import { HashTable } from './hash-table';
import { ImportDialog } from './import-dialog';

const DEFAULT_LIMIT = 50;

/** Reads the filter from the URL, so a filtered list can be bookmarked and "back" from a detail returns to it. */
function useHashFilterParams() {
  const [params, setParams] = useSearchParams();
  const flagText = params.get('flag');
  const flag = flagText !== null && /^\d{1,3}$/.test(flagText) && Number(flagText) <= 255 ? Number(flagText) : null;
  const rawPrefix = (params.get('prefix') ?? '').toLowerCase();
  const prefix = prefixError(rawPrefix) ? '' : rawPrefix;
  const limitText = Number(params.get('limit'));
  const limit = PAGE_SIZES.includes(limitText) ? limitText : DEFAULT_LIMIT;
  const update = useCallback(
    (key: string, value: string | null) =>
      setParams(
        (p) => {
          const next = new URLSearchParams(p);
          if (value === null || value === '') next.delete(key);
          else next.set(key, value);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return { flag, prefix, limit, update, search: params.toString() };
}

export function HashesPage() {
  const { flag, prefix, limit, update, search } = useHashFilterParams();
  const filterKey = `${flag ?? ''}|${prefix}|${limit}`;
  const pager = useCursorPagination(filterKey);
  const page = useQuery(`hashes|${filterKey}|${pager.cursor ?? ''}`, (signal) => listHashes({ flag, prefix, limit, cursor: pager.cursor }, signal));
  const flags = useQuery('flags', (signal) => fetchFlags(signal));
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  const [toDelete, setToDelete] = useState<HashItem | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const onPrefix = useCallback((p: string) => update('prefix', p), [update]);
  const refresh = (): void => {
    page.refetch();
    flags.refetch();
  };

  const onDeleted = (): void => {
    if (toDelete) setNotice(`Deleted hash ${shortDigest(toDelete.digest)}.`);
    setToDelete(null);
    refresh();
  };

  const onAdded = (result: HashWriteResult): void => {
    setAdding(false);
    const digest = shortDigest(result.hash.digest);
    // `reflagged` from the API's rspamd 4.x rule: the flag took a slot of its own beside the others.
    setNotice(result.status === 'reflagged' ? `Added the flag to hash ${digest}.` : `${result.status === 'added' ? 'Added' : 'Updated'} hash ${digest}.`);
    refresh();
  };

  const items = page.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Hashes"
        description="Stored fuzzy hashes in digest order. Filter by flag or search by digest prefix."
        actions={
          <>
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add hash
            </Button>
            <Button onClick={() => setImporting(true)}>Import</Button>
            <ExportButton filter={{ flag, prefix }} />
          </>
        }
      />
      <HashFilters
        flags={flags.data ?? []}
        flag={flag}
        prefix={prefix}
        limit={limit}
        onFlag={(f) => update('flag', f === null ? null : String(f))}
        onPrefix={onPrefix}
        onLimit={(l) => update('limit', l === DEFAULT_LIMIT ? null : String(l))}
      />
      {notice && (
        <p className="alert alert-success" role="status">
          {notice}{' '}
          <button type="button" className="link-button" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </p>
      )}
      <QueryStatus query={page} context="Could not load the hashes" loadingLabel="Loading hashes…" />
      {page.data && (
        <>
          <div className="list-status" aria-live="polite">
            <span>
              Page {pager.page} · {formatInt(items.length)} hash{items.length === 1 ? '' : 'es'}
              {prefix && (
                <>
                  {' '}
                  starting with <code>{prefix}</code>
                </>
              )}
            </span>
            {page.loading && <span className="spinner" role="status" aria-label="Loading" />}
          </div>
          {items.length === 0 ? (
            <p className="empty">{pager.page > 1 ? 'No more hashes.' : prefix || flag !== null ? 'No hash matches this filter.' : 'The store is empty.'}</p>
          ) : (
            <HashTable items={items} listSearch={search} onDelete={(h) => setToDelete(h)} />
          )}
          <nav className="pager" aria-label="Pages">
            <Button onClick={pager.first} disabled={!pager.hasPrev || page.loading}>
              First
            </Button>
            <Button onClick={pager.prev} disabled={!pager.hasPrev || page.loading}>
              ← Previous
            </Button>
            <Button onClick={() => page.data?.nextCursor && pager.next(page.data.nextCursor)} disabled={!page.data.nextCursor || page.loading}>
              Next →
            </Button>
          </nav>
        </>
      )}
      <AddHashDialog open={adding} flags={flags.data ?? []} onClose={() => setAdding(false)} onAdded={onAdded} />
      <ImportDialog open={importing} onClose={() => setImporting(false)} onImported={refresh} />
      <DeleteHashDialog digest={toDelete?.digest ?? ''} open={toDelete !== null} onCancel={() => setToDelete(null)} onDeleted={onDeleted}>
        <p>
          The hash <code className="break">{toDelete ? shortDigest(toDelete.digest, 24, 8) : ''}</code> and its shingles are removed from the store. rspamd
          scanners stop matching it at once.
        </p>
      </DeleteHashDialog>
    </>
  );
}
