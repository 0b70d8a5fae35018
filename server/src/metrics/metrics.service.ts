import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FUZZY_BACKEND, type FuzzyBackend } from '../fuzzy/fuzzy-backend.js';
import { RUNTIME, type Runtime, UDP_STATS } from '../runtime.js';
import { TCP_CLOSE_REASONS } from '../tcp/tcp-stats.js';
import { LATENCY_BUCKETS } from '../udp/udp-counters.js';
import type { UdpStats } from '../udp/udp-stats.js';
import { histogramSeries, SnapshotMetrics } from './snapshot-metrics.js';
import { addKeyFlagMetrics } from './key-flag-metrics.js';

const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * The Prometheus registry of one fuzzyd instance (its own, not prom-client's global one, so several instances can
 * live in one process, as they do in tests).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  /** The UDP counters and the store's queues, read at scrape time (snapshot-metrics.ts). */
  private readonly snapshots = new SnapshotMetrics();
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;

  constructor(
    @Inject(UDP_STATS) stats: UdpStats,
    @Inject(FUZZY_BACKEND) backend: FuzzyBackend,
    @Inject(RUNTIME) runtime: Runtime,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const snapshots = this.snapshots;
    snapshots.add('fuzzyd_udp_requests_total', 'UDP requests by command and result', 'counter', () =>
      stats.requests.map(({ command, result, count }) => ({ labels: { command, result }, value: count })),
    );
    snapshots.add('fuzzyd_udp_thread_requests_total', 'Requests counted by each thread (main: TCP and what UDP threads forward)', 'counter', () =>
      stats.handledPerThread().map((value, i) => ({ labels: { thread: i === 0 ? 'main' : String(i) }, value })),
    );
    snapshots.add('fuzzyd_udp_invalid_total', 'Requests dropped without a reply because they could not be decrypted or decoded, by reason', 'counter', () =>
      [...stats.invalidByReason].map(([reason, value]) => ({ labels: { reason }, value })),
    );
    snapshots.add('fuzzyd_udp_blocked_total', 'Datagrams dropped from blocked networks', 'counter', () => [{ value: stats.blocked }]);
    snapshots.add('fuzzyd_rate_limited_total', 'Requests over a rate limit (refused, or served under ratelimit_log_only)', 'counter', () => [
      { value: stats.overLimit },
    ]);
    snapshots.add('fuzzyd_udp_denied_total', 'Writes refused by allow_update or read-only mode', 'counter', () => [{ value: stats.denied }]);
    snapshots.add('fuzzyd_udp_duplicates_total', 'Retransmitted requests answered from the cache', 'counter', () => [
      { value: stats.duplicates },
    ]);
    snapshots.add('fuzzyd_udp_handling_seconds', 'Time from datagram arrival to reply', 'histogram', () =>
      histogramSeries('fuzzyd_udp_handling_seconds', LATENCY_BUCKETS, stats.latencyCounts, stats.latencySum, stats.latencyCount),
    );
    addKeyFlagMetrics(snapshots, runtime.keyStats, runtime.keys);
    const tcp = runtime.tcpStats;
    snapshots.add('fuzzyd_tcp_connections_total', 'TCP connections by accept result', 'counter', () => [
      { labels: { result: 'accepted' }, value: tcp.accepted },
      { labels: { result: 'refused_limit' }, value: tcp.refusedLimit },
      { labels: { result: 'refused_blocked' }, value: tcp.refusedBlocked },
      { labels: { result: 'refused_ratelimit' }, value: tcp.refusedRateLimited },
    ]);
    snapshots.add('fuzzyd_tcp_closed_total', 'TCP connections closed, by reason', 'counter', () =>
      TCP_CLOSE_REASONS.map((reason) => ({ labels: { reason }, value: tcp.closed[reason] })),
    );
    snapshots.add('fuzzyd_tcp_open_connections', 'TCP connections open now', 'gauge', () => [{ value: tcp.open }]);
    snapshots.add('fuzzyd_tcp_frames_total', 'TCP frames handed to the request handler', 'counter', () => [{ value: tcp.frames }]);
    snapshots.add('fuzzyd_tcp_replies_discarded_total', 'TCP replies completed after their connection closed', 'counter', () => [
      { value: tcp.repliesDiscarded },
    ]);
    snapshots.add('fuzzyd_hashes', 'Hashes in the store', 'gauge', async () => [{ value: await backend.count() }]);
    const writeBacklog = backend.writeBacklog;
    if (writeBacklog) {
      snapshots.add('fuzzyd_write_queue_depth', 'Updates waiting for the next group commit', 'gauge', () => [
        { value: writeBacklog.queued },
      ]);
      snapshots.add('fuzzyd_sqlite_backlog', "Acknowledged work not yet in rspamd's tables", 'gauge', async () => {
        const backlog = await writeBacklog.unapplied().catch(() => ({ journalOps: 0, shingleHashes: 0 }));
        return [
          { labels: { queue: 'journal_ops' }, value: backlog.journalOps },
          { labels: { queue: 'shingle_hashes' }, value: backlog.shingleHashes },
        ];
      });
    }
    // The index is replaced when a background rebuild finishes: read the backend's current one at every scrape.
    if (backend.index) {
      snapshots.add('fuzzyd_index_bytes', 'Approximate memory of the in-memory CHECK index', 'gauge', () => [
        { value: backend.index?.bytes ?? 0 },
      ]);
    }
    this.httpRequests = new Counter({
      name: 'fuzzyd_http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'fuzzyd_http_request_duration_seconds',
      help: 'HTTP request handling time by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers: [this.registry],
    });
  }

  /** Called once per answered HTTP request; `route` is the pattern (`/api/v1/hashes/:digest`), never the raw URL. */
  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status });
    this.httpDuration.observe({ method, route }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  async text(): Promise<string> {
    const [registry, snapshots] = await Promise.all([this.registry.metrics(), this.snapshots.text()]);
    return registry + snapshots;
  }
}
