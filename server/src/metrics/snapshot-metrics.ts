/** One exposed sample of a snapshot metric. */
export interface SnapshotValue {
  value: number;
  labels?: Record<string, string | number>;
  /** For the series of a histogram: `<name>_bucket`, `<name>_sum`, `<name>_count`. */
  metricName?: string;
}

export type SnapshotType = 'counter' | 'gauge' | 'histogram';

interface SnapshotMetric {
  name: string;
  help: string;
  type: SnapshotType;
  read: () => SnapshotValue[] | Promise<SnapshotValue[]>;
}

/**
 * Metrics whose values live elsewhere and are read at scrape time: the UDP threads keep plain counters in shared
 * memory (cheapest on the hot path), the store reports its queues when asked. prom-client's metric classes hold
 * their own values and cannot take a histogram's bucket counts from outside, so these are written in the text
 * exposition format (0.0.4) here and appended to the registry's output: scraping adds nothing to a datagram's path.
 */
export class SnapshotMetrics {
  private readonly metrics: SnapshotMetric[] = [];

  add(name: string, help: string, type: SnapshotType, read: SnapshotMetric['read']): void {
    if (this.metrics.some((m) => m.name === name)) throw new Error(`metric ${name} is registered twice`);
    this.metrics.push({ name, help, type, read });
  }

  async text(): Promise<string> {
    const blocks = await Promise.all(this.metrics.map(async (m) => render(m, await m.read())));
    return blocks.join('');
  }
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

function render(metric: SnapshotMetric, values: SnapshotValue[]): string {
  let out = `# HELP ${metric.name} ${metric.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${metric.name} ${metric.type}\n`;
  for (const v of values) out += `${v.metricName ?? metric.name}${labelText(v.labels)} ${numberText(v.value)}\n`;
  return out;
}

function labelText(labels: SnapshotValue['labels']): string {
  if (!labels) return '';
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function numberText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
