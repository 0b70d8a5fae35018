import { describe, expect, it } from 'vitest';
import { histogramSeries, SnapshotMetrics } from '../../../server/src/metrics/snapshot-metrics.js';

describe('SnapshotMetrics', () => {
  it('reads every metric at scrape time and writes the text exposition format', async () => {
    const m = new SnapshotMetrics();
    let hits = 1;
    m.add('fuzzyd_requests_total', 'Requests by "command"\nand result', 'counter', () => [
      { labels: { command: 'check', result: 'hit' }, value: hits },
      { labels: { command: 'we"ird\\', result: 'a\nb' }, value: 2 },
    ]);
    m.add('fuzzyd_hashes', 'Hashes', 'gauge', async () => [{ value: 7 }]);
    expect(await m.text()).toBe(
      [
        '# HELP fuzzyd_requests_total Requests by "command"\\nand result',
        '# TYPE fuzzyd_requests_total counter',
        'fuzzyd_requests_total{command="check",result="hit"} 1',
        'fuzzyd_requests_total{command="we\\"ird\\\\",result="a\\nb"} 2',
        '# HELP fuzzyd_hashes Hashes',
        '# TYPE fuzzyd_hashes gauge',
        'fuzzyd_hashes 7',
        '',
      ].join('\n'),
    );
    hits = 5;
    expect(await m.text()).toContain('fuzzyd_requests_total{command="check",result="hit"} 5\n');
  });

  it('a histogram is cumulative, ends in +Inf, and carries sum and count', async () => {
    const m = new SnapshotMetrics();
    m.add('lat_seconds', 'Latency', 'histogram', () => histogramSeries('lat_seconds', [0.001, 0.01], [3, 2, 1], 0.5, 6));
    expect((await m.text()).split('\n').slice(2)).toEqual([
      'lat_seconds_bucket{le="0.001"} 3',
      'lat_seconds_bucket{le="0.01"} 5',
      'lat_seconds_bucket{le="+Inf"} 6',
      'lat_seconds_sum 0.5',
      'lat_seconds_count 6',
      '',
    ]);
  });

  it('refuses a name registered twice', () => {
    const m = new SnapshotMetrics();
    m.add('x', 'x', 'gauge', () => []);
    expect(() => m.add('x', 'y', 'gauge', () => [])).toThrow(/registered twice/);
  });
});
