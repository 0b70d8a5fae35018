/** The shared bucket table: one bucket per key, TTL from creation, eviction of the oldest when a set is full. */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { BucketTable, WAYS } from '../../../server/src/ratelimit/bucket-table.js';
import { ALLOWED, chargeNetworkBucket, startNetworkBucket, TRIPPED } from '../../../server/src/ratelimit/leaky-bucket.js';

const keyOf = (n: number): Int32Array => Int32Array.of((4 << 8) | 24, n, 0, 0, 0);
const charge = (t: BucketTable, key: Int32Array, now: number, ttl = 3600, burst = 2): number =>
  t.charge(key, now, ttl, 0, burst, startNetworkBucket, chargeNetworkBucket);

describe('BucketTable', () => {
  it('keeps one bucket per key: burst 2 trips on the third request of that key only', () => {
    const t = new BucketTable(64);
    expect([charge(t, keyOf(1), 0), charge(t, keyOf(1), 0), charge(t, keyOf(1), 0)]).toEqual([ALLOWED, ALLOWED, TRIPPED]);
    expect(charge(t, keyOf(2), 0)).toBe(ALLOWED);
    expect(t.live(0, 3600)).toBe(2);
  });

  it('ends a ban when the bucket is ttl old, counted from its creation', () => {
    const t = new BucketTable(64);
    charge(t, keyOf(1), 0);
    charge(t, keyOf(1), 50);
    expect(charge(t, keyOf(1), 60)).toBe(TRIPPED);
    expect(charge(t, keyOf(1), 100)).not.toBe(ALLOWED);
    expect(charge(t, keyOf(1), 100.5, 100)).toBe(ALLOWED); // 100.5 s after creation, not after the ban at 60
  });

  it('is bounded: a full table evicts the oldest bucket, so a flood of networks can push a ban out', () => {
    const t = new BucketTable(1); // one set of WAYS slots
    expect(t.capacity).toBe(WAYS);
    charge(t, keyOf(0), 0);
    charge(t, keyOf(0), 0);
    expect(charge(t, keyOf(0), 0)).toBe(TRIPPED);
    for (let n = 1; n < WAYS; n++) charge(t, keyOf(n), 1);
    expect(charge(t, keyOf(0), 2)).not.toBe(ALLOWED); // still there: the set just filled up
    charge(t, keyOf(WAYS), 3); // one more network: the oldest (the banned one) goes
    expect(t.live(3, 3600)).toBe(WAYS);
    expect(charge(t, keyOf(0), 4)).toBe(ALLOWED);
  });

  it('reuses an expired slot before evicting a live one', () => {
    const t = new BucketTable(1);
    for (let n = 0; n < WAYS; n++) charge(t, keyOf(n), n === 3 ? 0 : 50);
    charge(t, keyOf(100), 70, 60); // only bucket 3 (created at 0) is past a 60 s ttl
    expect(t.live(70, 60)).toBe(WAYS);
    for (let n = 0; n < WAYS; n++) if (n !== 3) expect(charge(t, keyOf(n), 70, 60, 100)).toBe(ALLOWED);
  });

  it('rejects a buffer that is not a table', () => {
    expect(() => new BucketTable(new SharedArrayBuffer(100))).toThrow(RangeError);
  });

  it('is shared: four threads charging one key 250000 times each leave exactly 1000000 requests in it', async () => {
    const t = new BucketTable(64);
    const url = new URL('../../../dist/server/src/ratelimit/bucket-table.js', import.meta.url).href;
    const mathUrl = new URL('../../../dist/server/src/ratelimit/leaky-bucket.js', import.meta.url).href;
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        const { BucketTable } = await import(workerData.url);
        const m = await import(workerData.mathUrl);
        const t = new BucketTable(workerData.buffer);
        const key = Int32Array.of(${(4 << 8) | 24}, 7, 0, 0, 0);
        for (let i = 0; i < 250000; i++) t.charge(key, 1, 3600, 0, 1e9, m.startNetworkBucket, m.chargeNetworkBucket);
        parentPort.postMessage('done');
      })();`;
    await Promise.all(
      Array.from({ length: 4 }, () => new Promise((resolve, reject) => {
        const w = new Worker(code, { eval: true, workerData: { url, mathUrl, buffer: t.buffer } });
        w.once('message', resolve);
        w.once('error', reject);
      })),
    );
    // Level = requests counted (rate 0, burst never reached): a lost update under a race would leave fewer.
    const floats = new Float64Array(t.buffer);
    const levels = [...floats].filter((v) => v === 1_000_000);
    expect(levels).toHaveLength(1);
  });
});
