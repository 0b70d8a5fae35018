import { useState } from 'react';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { ErrorMessage } from '../../../components/ui/error-message';
import { QueryStatus } from '../../../components/ui/query-status';
import { useAction, useQuery } from '../../../lib/use-query';
import { fetchRateLimits, liftRateLimit } from '../api/ratelimits-api';

const COLUMNS: DataTableColumn[] = [
  { header: 'Network' },
  { header: 'State' },
  { header: 'Until', className: 'hide-narrow' },
  { header: 'Actions', hiddenHeader: true },
];

/** The source networks the rate limit tracks now (GET /ratelimits), banned ones first, each ban liftable. */
export function RateLimitedNetworks() {
  const state = useQuery('ratelimits', (signal) => fetchRateLimits(signal));
  const lift = useAction((network: string) => liftRateLimit(network));
  const [notice, setNotice] = useState<string | null>(null);
  const headingId = 'ratelimits-heading';
  return (
    <Card title={<span id={headingId}>Rate-limited networks</span>}>
      <QueryStatus query={state} context="Could not load the rate limits" />
      {state.data && !state.data.enabled && (
        <p className="muted">No rate limit is set: it needs both ratelimit_rate and ratelimit_burst (Access settings below, or FUZZYD_RATELIMIT_RATE / _BURST).</p>
      )}
      {state.data?.enabled && (
        <>
          <p className="muted">
            Networks over ratelimit_burst get 403 on CHECK until their bucket is ratelimit_bucket_ttl old
            {state.data.logOnly ? '; log_only is set, so nothing is refused' : ''}. Lifting a ban applies at once.
          </p>
          {notice && <p role="status" className="alert alert-success">{notice}</p>}
          {lift.error && <ErrorMessage error={lift.error} context="Could not lift the ban" />}
          <DataTable columns={COLUMNS} rows={state.data.buckets} labelledBy={headingId} emptyRow="No network has a bucket now.">
            {(b) => (
              <tr key={b.network}>
                <th scope="row" className="mono">{b.network}</th>
                <td>{b.banned ? <Badge tone="danger">banned</Badge> : `${(b.level ?? 0).toFixed(1)} in the bucket`}</td>
                <td className="hide-narrow nowrap">{b.expiresAt.replace('T', ' ').slice(0, 19)}</td>
                <td className="actions">
                  {b.banned && (
                    <Button
                      size="small"
                      variant="ghost"
                      disabled={lift.pending}
                      onClick={async () => {
                        setNotice(null);
                        if ((await lift.run(b.network)).ok) {
                          setNotice(`Lifted the ban on ${b.network}.`);
                          state.refetch();
                        }
                      }}
                    >
                      Lift ban
                    </Button>
                  )}
                </td>
              </tr>
            )}
          </DataTable>
        </>
      )}
    </Card>
  );
}
