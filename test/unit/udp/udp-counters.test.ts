import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { LATENCY_BUCKETS, SLOTS, UdpCounters, counterSlot } from '../../../server/src/udp/udp-counters.js';
import { UdpStats } from '../../../server/src/udp/udp-stats.js';

/** Adds `[slot, n]` pairs to the block it was given, once per message: a thread that counts, with no TS to import. */
const WRITER = `
const { parentPort, workerData } = require('node:worker_threads');
const slots = new Float64Array(workerData.buffer);
parentPort.on('message', (writes) => {
  if (writes === 'exit') return process.exit(0);
  for (const [slot, n] of writes) slots[slot] += n;
  parentPort.postMessage('written');
});
`;

const stats: UdpStats[] = [];
const newStats = (): UdpStats => {
  const s = new UdpStats();
  stats.push(s);
  return s;
};

afterEach(() => {
  for (const s of stats.splice(0)) s.close();
  vi.useRealTimers();
});

describe('UdpCounters and UdpStats', () => {
  it('sums the local block and one written by another thread, and sees that thread count after attaching', async () => {
    const block = new UdpCounters();
    const worker = new Worker(WRITER, { eval: true, workerData: { buffer: block.buffer } });
    const write = async (writes: [number, number][]): Promise<void> => {
      worker.postMessage(writes);
      await once(worker, 'message');
    };
    try {
      await write([
        [counterSlot(Command.Check, 'hit'), 3],
        [SLOTS.blocked, 2],
        [SLOTS.duplicates, 1],
      ]);
      const s = newStats();
      s.record(Command.Check, 'hit');
      s.record(Command.Write, 'denied');
      s.countBlocked();
      s.attach(block.buffer);
      expect(s.count('check', 'hit')).toBe(4);
      expect(s.blocked).toBe(3);
      expect(s.duplicates).toBe(1);
      expect(s.denied).toBe(1);

      await write([
        [counterSlot(Command.Check, 'hit'), 1],
        [counterSlot(Command.Del, 'denied'), 2],
      ]);
      expect(s.count('check', 'hit')).toBe(5);
      expect(s.denied).toBe(3);
      expect(s.requests).toEqual([
        { command: 'check', result: 'hit', count: 5 },
        { command: 'del', result: 'denied', count: 2 },
        { command: 'write', result: 'denied', count: 1 },
      ]);
    } finally {
      worker.postMessage('exit');
      await once(worker, 'exit');
    }
  });

  it('counts invalid datagrams by reason; a reason it does not know is counted as unknown', () => {
    const s = newStats();
    s.recordInvalid('short');
    s.recordInvalid('short');
    s.recordInvalid('decrypt-mac');
    s.recordInvalid('no-such-reason');
    const other = new UdpCounters();
    other.recordInvalid('extension');
    s.attach(other.buffer);
    expect(s.invalid).toBe(5);
    expect(s.invalidByReason).toEqual(new Map([['short', 2], ['extension', 1], ['decrypt-mac', 1], ['unknown', 1]]));
  });

  it('puts handling times into histogram buckets, with an overflow slot, summed over blocks', () => {
    const s = newStats();
    const other = new UdpCounters();
    s.attach(other.buffer);
    s.observeLatency(0.00001);
    s.observeLatency(0.0003);
    other.observeLatency(0.0005);
    other.observeLatency(5);
    const counts = new Array<number>(LATENCY_BUCKETS.length + 1).fill(0);
    counts[0] = 1;
    counts[LATENCY_BUCKETS.indexOf(0.0005)] = 2;
    counts[LATENCY_BUCKETS.length] = 1;
    expect([...s.latencyCounts]).toEqual(counts);
    expect(s.latencyCount).toBe(4);
    expect(s.latencySum).toBeCloseTo(5.00081, 10);
  });

  it("fills each minute's bucket with what the totals gained, attached blocks included", () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 10, 0, 30) });
    const s = newStats();
    const other = new UdpCounters();
    s.attach(other.buffer);
    s.record(Command.Check, 'hit');
    other.record(Command.Check, 'miss');
    other.record(Command.Write, 'denied');
    other.recordInvalid('version');
    const first = { at: Date.UTC(2026, 0, 1, 10, 0), requests: { check: 2, write: 1 }, hits: 1, invalid: 1, denied: 1 };
    expect(s.history()).toEqual([first]);
    expect(s.history()).toEqual([first]);

    vi.setSystemTime(Date.UTC(2026, 0, 1, 10, 3, 5));
    other.record(Command.Check, 'hit');
    other.record(Command.Check, 'hit');
    expect(s.history()).toEqual([first, { at: Date.UTC(2026, 0, 1, 10, 3), requests: { check: 2 }, hits: 2, invalid: 0, denied: 0 }]);
    expect(s.history(2)).toHaveLength(1);
  });

  it('samples on a timer, so counts land in the minute they were made even if nobody reads until later', () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 10, 0, 30) });
    const sampled = newStats();
    const unsampled = newStats();
    unsampled.close();
    for (const s of [sampled, unsampled]) s.local.record(Command.Ping, 'ok');
    vi.advanceTimersByTime(1_000);
    vi.setSystemTime(Date.UTC(2026, 0, 1, 10, 1, 10));
    expect(sampled.history().map((b) => b.at)).toEqual([Date.UTC(2026, 0, 1, 10, 0)]);
    expect(unsampled.history().map((b) => b.at)).toEqual([Date.UTC(2026, 0, 1, 10, 1)]);
  });

  it('detach stops reading a block but keeps what it counted: totals never go down', () => {
    const s = newStats();
    const other = new UdpCounters();
    s.attach(other.buffer);
    s.attach(other.buffer);
    other.record(Command.Check, 'hit');
    other.countDuplicate();
    other.recordInvalid('length');
    expect(s.count('check', 'hit')).toBe(1);
    s.history();

    s.detach(other.buffer);
    s.detach(other.buffer);
    other.record(Command.Check, 'hit');
    other.countDuplicate();
    expect(s.count('check', 'hit')).toBe(1);
    expect(s.duplicates).toBe(1);
    expect(s.invalidByReason).toEqual(new Map([['length', 1]]));
    // Nothing new since the last sample: detaching adds no phantom traffic to the current minute.
    expect(s.history().map((b) => b.requests)).toEqual([{ check: 1 }]);
  });

  it('refuses a buffer that is not a counter block', () => {
    expect(() => new UdpCounters(new SharedArrayBuffer(16))).toThrow(RangeError);
  });
});
