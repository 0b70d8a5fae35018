import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { UpdateOp } from '../../../server/src/fuzzy/fuzzy-backend.js';
import { packOps, unpackOps } from '../../../server/src/fuzzy/sqlite/writer/write-op-codec.js';
import { packResults, unpackResults } from '../../../server/src/fuzzy/sqlite/writer/writer-result-codec.js';
import type { WriterResult } from '../../../server/src/fuzzy/sqlite/writer/writer-protocol.js';

/** The two packed formats that cross the thread boundary, through a real structured clone as postMessage does. */
describe('writer thread codecs', () => {
  it('ops survive packing: every kind, optional fields, shingles', () => {
    const ops: UpdateOp[] = [
      { kind: 'write', rule: 'single', digest: randomBytes(64), flag: 7, value: -12, shingles: new ShingleBlock(randomBytes(256)) },
      { kind: 'write', rule: 'single', digest: randomBytes(64), flag: 255, value: 2 ** 40, shingles: null },
      { kind: 'del', digest: randomBytes(64) },
      { kind: 'set', digest: randomBytes(64), value: 9 },
      { kind: 'set', digest: randomBytes(64), flag: 3 },
      { kind: 'write', rule: 'multi', digest: randomBytes(64), flag: 51, value: 4, shingles: null },
      { kind: 'write', rule: 'single', digest: randomBytes(64), flag: 52, value: 1, shingles: null, weak: true },
      { kind: 'set', digest: randomBytes(64), flags: [{ flag: 50, value: 10 }, { flag: 51, value: -3 }] },
    ];
    const back = unpackOps(Buffer.from(structuredClone(packOps(ops))));
    expect(back.map(describeOp)).toEqual(ops.map(describeOp));
  });

  it('a record carries shingle bytes only when it has shingles, and a cut batch is refused', () => {
    const plain: UpdateOp = { kind: 'write', rule: 'single', digest: randomBytes(64), flag: 1, value: 1, shingles: null };
    const shingled: UpdateOp = { ...plain, shingles: new ShingleBlock(randomBytes(256)) };
    expect(packOps([plain, plain]).length).toBe(160);
    expect(packOps([shingled, plain]).length).toBe(416);
    expect(() => unpackOps(packOps([plain, shingled]).subarray(0, 200))).toThrow(/corrupt op record at byte 80/);
  });

  it('results survive packing, each record in its own place, creation times, deleted shingles in order, shingle counts 0, 32 or unknown', () => {
    const results: WriterResult[] = [
      { status: 'added', digest: randomBytes(64), flag: 1, value: 3, extraFlags: [], time: 1_795_000_000, created: 1_794_000_000, removedShingles: null, shingles: 32 },
      { status: 'deleted', digest: randomBytes(64), flag: 2, value: 5, extraFlags: [], time: 7, created: 0, removedShingles: Uint32Array.from([0, 1, 2, 31, 4, 5]), shingles: null },
      { status: 'reflagged', digest: randomBytes(64), flag: 9, value: -1, extraFlags: [{ flag: 3, value: 7 }, { flag: 200, value: -2147483648 }], time: 8, created: 6, removedShingles: null, shingles: null },
      { status: 'deleted', digest: randomBytes(64), flag: 4, value: 0, extraFlags: [{ flag: 5, value: 1 }], time: 9, created: 0, removedShingles: Uint32Array.from([7, 8, 9]), shingles: null },
      { status: 'updated', digest: randomBytes(64), flag: 1, value: 2, extraFlags: [], time: 10, created: 4_294_967_295, removedShingles: null, shingles: 0 },
      { status: 'not-found', digest: randomBytes(64), flag: 0, value: 0, extraFlags: [], time: 0, created: 0, removedShingles: null, shingles: null },
    ];
    const back = unpackResults(structuredClone(packResults(results)));
    expect(back.map(describeResult)).toEqual(results.map(describeResult));
  });
});

function describeOp(op: UpdateOp): unknown {
  return { ...op, digest: op.digest.toString('hex'), shingles: 'shingles' in op ? op.shingles?.bytes.toString('hex') ?? null : undefined };
}

function describeResult(r: WriterResult): unknown {
  return { ...r, digest: Buffer.from(r.digest).toString('hex'), removedShingles: r.removedShingles ? [...r.removedShingles] : null };
}
