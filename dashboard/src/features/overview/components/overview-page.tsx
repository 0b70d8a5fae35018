import { useEffect, useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { Card, Stat } from '../../../components/ui/card';
import { DataTable, type DataTableColumn } from '../../../components/ui/data-table';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import type { StatsResponse } from '../../../lib/api-types';
import { formatDuration, formatInt, formatPercent, formatRate } from '../../../lib/format';
import { useQuery } from '../../../lib/use-query';
import { fetchStats } from '../api/stats-api';
import { type CounterSample, chartRows, hitRatio, minuteSeries, orderCommands, ratesPerSecond, totalsByCommand } from '../lib/stats-series';
import { HitRateChart } from './hit-rate-chart';
import { ProblemsChart } from './problems-chart';
import { RedisServersCard } from './redis-servers-card';
import { RequestsChart } from './requests-chart';

const COMMAND_COLUMNS: DataTableColumn[] = [
  { header: 'Command' },
  { header: 'Now (req/s)', className: 'num' },
  { header: 'Since start', className: 'num' },
];
const FLAG_COLUMNS: DataTableColumn[] = [
  { header: 'Flag' },
  { header: 'Hashes', className: 'num' },
  { header: 'Share', className: 'hide-narrow', hiddenHeader: true },
];

/** How often the live charts refresh. */
export const OVERVIEW_REFRESH_MS = 5000;

export function OverviewPage() {
  const stats = useQuery('stats', fetchStats, { intervalMs: OVERVIEW_REFRESH_MS });
  return (
    <>
      <PageHeader title="Overview" description="The store and its UDP traffic; charts cover the last hour, per minute, and refresh every 5 s." />
      <QueryStatus query={stats} context="Could not load the statistics" />
      {stats.data && <OverviewBody stats={stats.data} receivedAt={stats.updatedAt ?? Date.now()} />}
      <RedisServersCard refreshMs={OVERVIEW_REFRESH_MS} />
    </>
  );
}

function OverviewBody({ stats, receivedAt }: { stats: StatsResponse; receivedAt: number }) {
  const previous = useRef<CounterSample | null>(null);
  const view = useMemo(() => {
    const points = minuteSeries(stats.history, stats.historyFrom, stats.historyTo);
    const totals = totalsByCommand(stats.requests);
    const commands = orderCommands([...totals.keys(), ...stats.history.flatMap((m) => Object.keys(m.requests))]);
    const sample: CounterSample = { at: receivedAt, totals };
    const rates = ratesPerSecond(previous.current, sample, points, { now: stats.startedAt + stats.uptimeSeconds * 1000, startedAt: stats.startedAt });
    const lastHour = points.reduce((acc, p) => ({ hits: acc.hits + p.hits, checks: acc.checks + p.checks }), { hits: 0, checks: 0 });
    return { points, totals, commands, rates, sample, rows: chartRows(points, commands), lastHourHitRate: lastHour.checks > 0 ? lastHour.hits / lastHour.checks : null };
  }, [stats, receivedAt]);
  // The next poll's rates are measured from this one.
  useEffect(() => {
    previous.current = view.sample;
  }, [view]);

  const totalRate = [...view.rates.values()].reduce((a, b) => a + b, 0);
  const maxFlagCount = Math.max(1, ...stats.hashes.byFlag.map((f) => f.count));
  const flagSlots = stats.hashes.byFlag.reduce((sum, f) => sum + f.count, 0);

  return (
    <div className="overview">
      <dl className="stats-grid">
        <Stat label="Hashes" value={formatInt(stats.hashes.total)} hint={`${stats.hashes.byFlag.length} flag${stats.hashes.byFlag.length === 1 ? '' : 's'}`} />
        <Stat label="Requests / s" value={formatRate(totalRate)} hint="all commands, live" />
        <Stat label="Hit rate" value={formatPercent(view.lastHourHitRate)} hint={`last hour · ${formatPercent(hitRatio(stats.requests))} since start`} />
        <Stat label="Invalid" value={formatInt(stats.invalid)} hint="undecodable datagrams" />
        <Stat label="Denied" value={formatInt(stats.denied)} hint={`${formatInt(stats.blocked)} blocked`} />
        <Stat label="Uptime" value={formatDuration(stats.uptimeSeconds)} hint={`${formatInt(stats.duplicates)} retransmits`} />
      </dl>

      <div className="grid-2">
        <Card title="Requests per second by command">
          {view.commands.length === 0 ? (
            <p className="muted">No UDP requests since start.</p>
          ) : (
            <DataTable columns={COMMAND_COLUMNS} rows={view.commands}>
              {(c) => (
                <tr key={c}>
                  <th scope="row">{c.toUpperCase()}</th>
                  <td className="num">{formatRate(view.rates.get(c) ?? 0)}</td>
                  <td className="num">{formatInt(view.totals.get(c) ?? 0)}</td>
                </tr>
              )}
            </DataTable>
          )}
        </Card>
        <Card title="Hashes per flag" actions={<Link to="/flags">Flags</Link>}>
          {stats.hashes.byFlag.length === 0 ? (
            // The Redis backend keeps no per-flag counts (rspamd's layout has none), so an empty list is not an empty store.
            <p className="muted">{stats.hashes.total > 0 ? 'Counts per flag are kept by the SQLite backend only.' : 'The store is empty.'}</p>
          ) : (
            <DataTable columns={FLAG_COLUMNS} rows={stats.hashes.byFlag}>
              {(f) => (
                <tr key={f.flag}>
                  <th scope="row">
                    <Link to={`/hashes?flag=${f.flag}`}>
                      {f.name ?? 'unnamed'} <span className="muted">({f.flag})</span>
                    </Link>
                  </th>
                  <td className="num">{formatInt(f.count)}</td>
                  <td className="hide-narrow share-cell" aria-hidden="true">
                    <span className="share-bar" style={{ width: `${((f.count / maxFlagCount) * 100).toFixed(1)}%` }} />
                  </td>
                </tr>
              )}
            </DataTable>
          )}
          {flagSlots > stats.hashes.total && <p className="field-hint">A hash with several flags counts under each of them.</p>}
        </Card>
      </div>

      <Card title="Requests per minute by command">
        <figure className="figure" aria-label="Requests per minute by command over the last hour">
          <RequestsChart rows={view.rows} commands={view.commands.length ? view.commands : ['check']} />
        </figure>
      </Card>
      <div className="grid-2">
        <Card title="Hit rate per minute">
          <figure className="figure" aria-label="Share of CHECK requests that matched, per minute">
            <HitRateChart rows={view.rows} />
          </figure>
        </Card>
        <Card title="Invalid and denied per minute">
          <figure className="figure" aria-label="Undecodable datagrams and refused writes per minute">
            <ProblemsChart rows={view.rows} />
          </figure>
        </Card>
      </div>
    </div>
  );
}
