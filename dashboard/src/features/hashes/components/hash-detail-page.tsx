import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import { ApiError } from '../../../lib/api-client';
import type { HashDetail } from '../../../lib/api-types';
import { formatInt, formatUnixSeconds } from '../../../lib/format';
import { useAction, useQuery } from '../../../lib/use-query';
import { fetchFlags, flagLabel } from '../../flags/api/flags-api';
import { deleteHash, getHash } from '../api/hashes-api';
import { EditHashForm } from './edit-hash-form';

export function HashDetailPage() {
  const { digest = '' } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const listSearch = (location.state as { listSearch?: string } | null)?.listSearch ?? '';
  const backTo = `/hashes${listSearch ? `?${listSearch}` : ''}`;
  const hash = useQuery(`hash|${digest}`, (signal) => getHash(digest, signal));
  const flags = useQuery('flags', (signal) => fetchFlags(signal));
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const remove = useAction(() => deleteHash(digest));

  const notFound = hash.error instanceof ApiError && hash.error.status === 404;
  return (
    <>
      <PageHeader
        title="Hash"
        description={<Link to={backTo}>← Back to the list</Link>}
        actions={
          hash.data && (
            <Button variant="danger" onClick={() => setConfirming(true)}>
              Delete…
            </Button>
          )
        }
      />
      {notFound && (
        <p className="alert alert-info" role="status">
          No hash with this digest is stored (it may have been deleted or expired).
        </p>
      )}
      <QueryStatus query={hash} context="Could not load the hash" showError={!notFound} />
      {hash.data && (
        <div className="detail-grid">
          <Card title="Details">
            <HashFacts hash={hash.data} />
          </Card>
          <Card title="Edit">
            {saved && (
              <p className="alert alert-success" role="status">
                {saved}
              </p>
            )}
            <EditHashForm
              hash={hash.data}
              flags={flags.data ?? []}
              onSaved={(item) => {
                setSaved(`Saved: ${flagLabel(item.flag, item.flagName)}, value ${formatInt(item.value)}.`);
                hash.refetch();
              }}
            />
          </Card>
          <Card title={`Shingles (${hash.data.shingles.length})`} className="span-all">
            <Shingles shingles={hash.data.shingles} />
          </Card>
        </div>
      )}
      <ConfirmDialog
        open={confirming}
        title="Delete this hash?"
        confirmLabel="Delete"
        action={remove}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          if ((await remove.run()).ok) navigate(backTo, { replace: true });
        }}
      >
        <p>The hash and its shingles are removed from the store.</p>
      </ConfirmDialog>
    </>
  );
}

function HashFacts({ hash }: { hash: HashDetail }) {
  return (
    <dl className="facts">
      <dt>Digest</dt>
      <dd className="mono break">{hash.digest}</dd>
      <dt>Flag</dt>
      <dd>{flagLabel(hash.flag, hash.flagName)}</dd>
      <dt>Value</dt>
      <dd>{formatInt(hash.value)}</dd>
      <dt>Last write</dt>
      <dd>
        <time dateTime={new Date(hash.time * 1000).toISOString()}>{formatUnixSeconds(hash.time)}</time>
      </dd>
    </dl>
  );
}

function Shingles({ shingles }: { shingles: (string | null)[] }) {
  if (shingles.length === 0) return <p className="muted">Written without shingles: only exact digest matches hit it.</p>;
  return (
    <ol className="shingles">
      {shingles.map((s, i) => (
        <li key={i}>
          <span className="shingle-pos" aria-hidden="true">
            {i}
          </span>
          {s === null ? <span className="muted" title="A later hash took this shingle over">taken over</span> : <code>{s}</code>}
        </li>
      ))}
    </ol>
  );
}
