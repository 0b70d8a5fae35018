import type { Metric, MetricType, Registry } from 'prom-client';

export interface SnapshotValue {
  value: number;
  labels?: Record<string, string | number>;
  /** For the series of a histogram: `<name>_bucket`, `<name>_sum`, `<name>_count`. */
  metricName?: string;
}

/**
 * A metric whose values are read from somewhere else at scrape time. The UDP plane keeps plain counters (cheapest on
 * its hot path) and this turns them into exposition lines only when Prometheus asks, so scraping adds nothing to the
 * handling of a datagram.
 */
export function registerSnapshotMetric(
  registry: Registry,
  name: string,
  help: string,
  type: 'counter' | 'gauge' | 'histogram',
  read: () => SnapshotValue[] | Promise<SnapshotValue[]>,
): void {
  const metricType = type as unknown as MetricType;
  const metric = {
    name,
    help,
    type: metricType,
    aggregator: 'sum',
    get: async () => ({ name, help, type: metricType, aggregator: 'sum', values: await read() }),
    reset: () => undefined,
  };
  registry.registerMetric(metric as unknown as Metric);
}

/** Prometheus histogram series from per-bucket (non-cumulative) counts with one overflow slot at the end. */
export function histogramSeries(name: string, bounds: readonly number[], counts: ArrayLike<number>, sum: number, count: number): SnapshotValue[] {
  const values: SnapshotValue[] = [];
  let cumulative = 0;
  bounds.forEach((le, i) => {
    cumulative += counts[i];
    values.push({ metricName: `${name}_bucket`, labels: { le }, value: cumulative });
  });
  values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count });
  values.push({ metricName: `${name}_sum`, value: sum });
  values.push({ metricName: `${name}_count`, value: count });
  return values;
}
