import { useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import { ApiError } from '../../../lib/api-client';
import type { HashDetail } from '../../../lib/api-types';
import { formatInt, formatUnixSeconds } from '../../../lib/format';
import { useQuery } from '../../../lib/use-query';
import { fetchFlags, flagLabel } from '../../flags/api/flags-api';
import { getHash } from '../api/hashes-api';
import { DeleteHashDialog } from './delete-hash-dialog';
import { EditFlagsForm, flagsKey } from './edit-flags-form';
import { getExplain } from '../api/explain-api';
import { ExplainPanel } from './explain-panel';
import { fetchAudit } from '../../audit/api/audit-api';
import { HashHistory } from '../../audit/components/hash-history';
import { FlagChips } from './flag-chips';

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
  // Keyed by the stored flags too, so an edit saved here shows up in the history and the cluster at once.
  const version = hash.data ? flagsKey(hash.data) : '';
  const history = useQuery(`audit|${digest}|${version}`, (signal) => fetchAudit({ digest, limit: 50 }, signal));
  const explain = useQuery(`explain|${digest}|${version}`, (signal) => getExplain(digest, signal));

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
          <Card title="Edit flags">
            {saved && (
              <p className="alert alert-success" role="status">
                {saved}
              </p>
            )}
            <EditFlagsForm
              key={flagsKey(hash.data)}
              hash={hash.data}
              flags={flags.data ?? []}
              onSaved={(item) => {
                setSaved(`Saved: ${item.flags.map((f) => `${flagLabel(f.flag, f.flagName)} = ${formatInt(f.value)}`).join(', ')}.`);
                hash.refetch();
              }}
            />
          </Card>
          <Card title="History" className="span-all">
            <QueryStatus query={history} context="Could not load the history" />
            {history.data && <HashHistory entries={history.data.items} />}
          </Card>
          <Card title="Near duplicates (who owns its shingle positions)" className="span-all">
            <QueryStatus query={explain} context="Could not explain the hash" showError={!(explain.error instanceof ApiError && explain.error.status === 501)} />
            {explain.data && <ExplainPanel explain={explain.data} />}
          </Card>
          <Card title={`Shingles (${hash.data.shingles.length})`} className="span-all">
            <Shingles shingles={hash.data.shingles} />
          </Card>
        </div>
      )}
      <DeleteHashDialog digest={digest} open={confirming} onCancel={() => setConfirming(false)} onDeleted={() => navigate(backTo, { replace: true })}>
        <p>The hash and its shingles are removed from the store.</p>
      </DeleteHashDialog>
    </>
  );
}

function HashFacts({ hash }: { hash: HashDetail }) {
  return (
    <dl className="facts">
      <dt>Digest</dt>
      <dd className="mono break">{hash.digest}</dd>
      <dt>{hash.flags.length === 1 ? 'Flag' : `Flags (${hash.flags.length})`}</dt>
      <dd>
        <FlagChips flags={hash.flags} />
        {hash.flags.length > 1 && <p className="field-hint">The first, marked one is the primary flag: the only one rspamd 3.x clients see.</p>}
      </dd>
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
