import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SHINGLE_COUNT } from '../../../shared/protocol/constants.js';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import { FuzzyIndex } from '../../../server/src/fuzzy/memory/fuzzy-index.js';
import { checkoutRoot } from '../../helpers/checkout-root.js';

/**
 * The index's one-writer / many-readers contract (index-locks.ts), with real threads: a reader on a worker thread
 * CHECK while this thread inserts, rewrites and deletes hashes and the tables grow (started tiny, so every table
 * doubles many times and resizes are always in flight). A reader may decline (null: the main thread then answers),
 * but whatever it answers must be a state the hash really had: never a miss for a hash that is always there, never a
 * flag of one write with the value of another.
 */
const root = checkoutRoot(import.meta.url);
const compiled = (path: string): string => pathToFileURL(join(root, 'dist', path)).href;

const NOW = 1_900_000_000;
const STABLE = 1500;
const CHURN = 6000;
/** How long the writer churns. Two cores here: one reader thread, so writer and reader really run at once. */
const CHURN_MS = 3000;
const READERS = 1;

/**
 * The start of every reader thread's script (eval workers cannot import TypeScript): the compiled index and shingle
 * block, and a reader over the view in workerData (readerData); `view` and `index` are replaced as new views come.
 */
const READER_PROLOGUE = `
const { parentPort, workerData, receiveMessageOnPort } = require('node:worker_threads');
(async () => {
  const { FuzzyIndex } = await import(workerData.indexUrl);
  const { ShingleBlock } = await import(workerData.blockUrl);
  let view = workerData.view;
  let index = FuzzyIndex.reader(view);`;

function readerData(index: FuzzyIndex): { indexUrl: string; blockUrl: string; view: ReturnType<FuzzyIndex['view']> } {
  return {
    indexUrl: compiled('server/src/fuzzy/memory/fuzzy-index.js'),
    blockUrl: compiled('shared/protocol/shingle-block.js'),
    view: index.view(),
  };
}

/** Each reader CHECKs every stable and churned hash, round after round, until told to stop, then once more. */
const READER = `${READER_PROLOGUE}
  let stopping = false;
  parentPort.on('message', (m) => {
    if (m.type === 'view') { view = m.view; index = FuzzyIndex.reader(view); }
    if (m.type === 'stop') stopping = true;
  });
  const digest = (all, i) => Buffer.from(all.buffer, all.byteOffset + i * 64, 64);
  const stable = new Uint8Array(workerData.stable);
  const churn = new Uint8Array(workerData.churn);
  const shingles = new Uint8Array(workerData.stableShingles);
  const probe = Buffer.alloc(64, 0xee);
  const counts = { answered: 0, declined: 0, rounds: 0 };
  const violations = [];
  const bad = (what) => { if (violations.length < 10) violations.push(what); };
  const check = (d, s) => index.checkShared(d, s, ${NOW}, view.layout);
  const pass = () => {
    for (let i = 0; i < ${STABLE}; i++) {
      const r = check(digest(stable, i), null);
      if (!r) { counts.declined++; continue; }
      counts.answered++;
      if (r.prob !== 1 || r.flag !== (i % 200) + 1 || r.value !== i * 256 + (i % 200) + 1) bad({ kind: 'stable', i, r });
      const block = new ShingleBlock(Buffer.from(shingles.buffer, shingles.byteOffset + i * 256, 256));
      const n = check(probe, block);
      if (!n) { counts.declined++; continue; }
      counts.answered++;
      if (n.prob !== 1 || !Buffer.from(n.digest).equals(digest(stable, i)) || n.flag !== (i % 200) + 1) bad({ kind: 'near', i, n });
    }
    const states = new Array(${CHURN});
    for (let i = 0; i < ${CHURN}; i++) {
      const r = check(digest(churn, i), null);
      if (!r) { counts.declined++; states[i] = 'declined'; continue; }
      counts.answered++;
      if (r.prob === 0) { states[i] = 'absent'; continue; }
      // Every write keeps value % 256 === flag and time === ${NOW} - value: a torn record breaks one of them.
      if (r.value % 256 !== r.flag || r.ts !== ${NOW} - r.value) bad({ kind: 'torn', i, r });
      states[i] = r.value;
    }
    counts.rounds++;
    return states;
  };
  while (!stopping) {
    pass();
    await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  parentPort.postMessage({ counts, violations, final: pass() });
})();
`;

function digestOf(kind: number, i: number): Buffer {
  const d = Buffer.alloc(64);
  d.writeUInt32LE(kind, 0);
  d.writeUInt32LE(i, 4);
  for (let b = 8; b < 64; b += 4) d.writeUInt32LE((Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ kind) >>> 0, b);
  return d;
}

function shinglesOf(kind: number, i: number): ShingleBlock {
  const bytes = Buffer.alloc(256);
  for (let p = 0; p < SHINGLE_COUNT; p++) {
    bytes.writeUInt32LE((Math.imul(i + 7, 0x27d4eb2f) ^ Math.imul(p + 1, 0x165667b1) ^ kind) >>> 0, p * 8);
    bytes.writeUInt32LE(((kind << 24) | i) >>> 0, p * 8 + 4);
  }
  return new ShingleBlock(bytes);
}

function shared(buffers: Buffer[]): SharedArrayBuffer {
  const sab = new SharedArrayBuffer(buffers.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of buffers) {
    new Uint8Array(sab).set(b, at);
    at += b.length;
  }
  return sab;
}

function owned(block: ShingleBlock): { position: number; lo: number; hi: number }[] {
  return Array.from({ length: SHINGLE_COUNT }, (_, position) => ({ position, lo: block.lo(position), hi: block.hi(position) }));
}

describe('FuzzyIndex shared with reader threads', () => {
  it('never gives a reader a torn record or a false miss while the writer churns and every table grows', async () => {
    const index = new FuzzyIndex(365 * 86_400, { hashes: 16, shingledHashes: 16 });
    const write = (d: Buffer, value: number, shingles: ShingleBlock | null): void => {
      index.upsert({ digest: d, flag: value % 256, value, time: NOW - value, extraFlags: [] }, shingles);
    };
    for (let i = 0; i < STABLE; i++) {
      index.upsert({ digest: digestOf(1, i), flag: (i % 200) + 1, value: i * 256 + (i % 200) + 1, time: NOW - 10, extraFlags: [] }, shinglesOf(1, i));
    }
    const churnDigests = Array.from({ length: CHURN }, (_, i) => digestOf(2, i));
    const workerData = {
      ...readerData(index),
      stable: shared(Array.from({ length: STABLE }, (_, i) => digestOf(1, i))),
      stableShingles: shared(Array.from({ length: STABLE }, (_, i) => shinglesOf(1, i).bytes)),
      churn: shared(churnDigests),
    };
    const readers = Array.from({ length: READERS }, () => new Worker(READER, { eval: true, workerData }));
    let viewPending = false;
    index.locks.onLayoutChange = () => {
      if (viewPending) return;
      viewPending = true;
      setImmediate(() => {
        viewPending = false;
        for (const r of readers) r.postMessage({ type: 'view', view: index.view() });
      });
    };
    const results = readers.map(
      (r) =>
        new Promise<{ counts: Record<string, number>; violations: unknown[]; final: (number | string)[] }>((resolve, reject) => {
          r.once('message', resolve);
          r.once('error', reject);
        }),
    );

    // The model: the value each churned hash holds now, or absent.
    const model = new Array<number | 'absent'>(CHURN).fill('absent');
    let version = 1;
    let x = 12345;
    const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    const until = Date.now() + CHURN_MS;
    while (Date.now() < until) {
      for (let k = 0; k < 2000; k++) {
        const i = next() % CHURN;
        const shingles = i % 2 === 0 ? shinglesOf(2, i) : null;
        if (model[i] !== 'absent' && next() % 5 === 0) {
          index.remove(churnDigests[i], shingles ? owned(shingles) : []);
          model[i] = 'absent';
        } else {
          const value = (version++ % 100_000) * 256 + (next() % 255) + 1;
          write(churnDigests[i], value, shingles);
          model[i] = value;
        }
      }
      index.finishResizes(2048);
      await yieldToLoop();
    }
    while (index.finishResizes(1 << 20)) await yieldToLoop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const r of readers) r.postMessage({ type: 'stop' });
    const outcomes = await Promise.all(results);
    await Promise.all(readers.map((r) => r.terminate()));

    for (const { counts, violations, final } of outcomes) {
      expect(violations).toEqual([]);
      // Readers answer for themselves between layout changes (here tables grow all the time; a store sized at
      // start-up grows rarely), or the UDP threads would only forward.
      expect(counts.rounds).toBeGreaterThan(1);
      expect(counts.answered).toBeGreaterThan(counts.declined / 20);
      console.log(`reader: ${counts.answered} answered, ${counts.declined} declined over ${counts.rounds} rounds`);
      // Once the writer is idle and the last view is in, every reader sees exactly the writer's final state.
      expect(final).toEqual(model);
    }
  }, 60_000);

  it('never hands a reader a torn record while one hash is rewritten back to back', async () => {
    const index = new FuzzyIndex(365 * 86_400);
    const d = digestOf(3, 0);
    index.upsert({ digest: d, flag: 1, value: 257, time: NOW - 257, extraFlags: [] }, null);
    const reader = tightReader(index, 'record', { digest: d });
    for (let k = 2, until = Date.now() + TIGHT_MS; Date.now() < until; k++) {
      const flag = (k % 255) + 1;
      const value = (k % 100_000) * 256 + flag;
      index.upsert({ digest: d, flag, value, time: NOW - value, extraFlags: [] }, null);
    }
    const { answered, violations } = await reader.finish();
    expect(violations).toEqual([]);
    expect(answered).toBeGreaterThan(1000);
  });

  it('never gives a reader a shingle miss while neighbours are inserted and removed around its entries', async () => {
    // A small table that never grows: every insert shifts entries along (Robin Hood), every removal shifts them back.
    const index = new FuzzyIndex(365 * 86_400, { hashes: 64, shingledHashes: 64 });
    const stable = shinglesOf(4, 0);
    index.upsert({ digest: digestOf(4, 0), flag: 9, value: 9, time: NOW - 9, extraFlags: [] }, stable);
    const neighbours = Array.from({ length: 40 }, (_, i) => ({ digest: digestOf(5, i), shingles: shinglesOf(5, i) }));
    const reader = tightReader(index, 'shingles', { shingles: stable.bytes });
    for (let round = 0, until = Date.now() + TIGHT_MS; Date.now() < until; round++) {
      for (const n of neighbours) index.upsert({ digest: n.digest, flag: 1, value: 1, time: NOW, extraFlags: [] }, n.shingles);
      for (const n of neighbours) index.remove(n.digest, owned(n.shingles));
    }
    const { answered, violations } = await reader.finish();
    expect(violations).toEqual([]);
    expect(answered).toBeGreaterThan(1000);
  });
});

const TIGHT_MS = 1500;

/** A reader thread that CHECKs one thing as fast as it can until told to stop (no yielding: the tightest race). */
const TIGHT_READER = `${READER_PROLOGUE}
  const stop = new Int32Array(workerData.stop);
  const digest = workerData.digest ? Buffer.from(workerData.digest) : Buffer.alloc(64, 0xee);
  const block = workerData.shingles ? new ShingleBlock(Buffer.from(workerData.shingles)) : null;
  let answered = 0, declined = 0;
  const violations = [];
  for (let i = 0; Atomics.load(stop, 0) === 0; i++) {
    if ((i & 1023) === 0) {
      for (let m; (m = receiveMessageOnPort(workerData.views)); ) {
        view = m.message;
        index = FuzzyIndex.reader(view);
      }
    }
    const r = index.checkShared(digest, block, ${NOW}, view.layout);
    if (!r) { declined++; continue; }
    answered++;
    const ok = workerData.mode === 'record'
      ? r.prob === 1 && r.value % 256 === r.flag && r.ts === ${NOW} - r.value
      : r.prob === 1 && r.flag === 9 && r.value === 9;
    if (!ok && violations.length < 10) violations.push({ prob: r.prob, flag: r.flag, value: r.value, ts: r.ts });
  }
  parentPort.postMessage({ answered, declined, violations });
})();
`;

function tightReader(index: FuzzyIndex, mode: 'record' | 'shingles', what: { digest?: Buffer; shingles?: Buffer }) {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  // The writer never yields here, so views go out at once, and the reader polls for them.
  const views = new MessageChannel();
  index.locks.onLayoutChange = () => views.port1.postMessage(index.view());
  const worker = new Worker(TIGHT_READER, {
    eval: true,
    transferList: [views.port2],
    workerData: {
      ...readerData(index),
      stop: stop.buffer,
      views: views.port2,
      mode,
      digest: what.digest ? new Uint8Array(what.digest) : null,
      shingles: what.shingles ? new Uint8Array(what.shingles) : null,
    },
  });
  const result = new Promise<{ answered: number; declined: number; violations: unknown[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async finish() {
      Atomics.store(stop, 0, 1);
      const r = await result;
      await worker.terminate();
      views.port1.close();
      console.log(`tight reader (${mode}): ${r.answered} answered, ${r.declined} declined`);
      return r;
    },
  };
}
