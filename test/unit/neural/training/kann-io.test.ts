import { describe, expect, it } from 'vitest';
import { KannFormatError } from '../../../../server/src/neural/training/errors.js';
import { KannNode, rspamdKannSize } from '../../../../server/src/neural/training/kann-format.js';
import { parseKann, readKann } from '../../../helpers/kann/kann-reader.js';
import { serializeKann, writeKann } from '../../../../server/src/neural/training/kann-writer.js';
import { AnnWeights, forward, hiddenWidth, initWeights } from '../../../../server/src/neural/training/network.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';

const hex = (s: string) => Buffer.from(s.replace(/[^0-9a-f]/g, ''), 'hex');
const i32 = (v: number) => { const b = Buffer.alloc(4); b.writeInt32LE(v); return b.toString('hex'); };

/** Header bytes written out by hand from the table in spec §10.3. */
function specHeader(n: number, h: number): Buffer {
  const leaf = (extFlag: number, flag: string, dims: number[]) =>
    `00000000 ${i32(extFlag)} ${flag} 00000000 ${dims.length.toString(16).padStart(2, '0')} ${dims.map(i32).join(' ')}`;
  const op = (extFlag: number, code: string, children: number[]) =>
    `00000000 ${i32(extFlag)} ${children.includes(0) ? '00' : '01'} ${i32(children.length)} ${code} ${children.map(i32).join(' ')} ffffffff 00000000`;
  return hex([
    '4b414e01', i32(13),
    leaf(1, '00', [1, n]), op(0, '0800', [0]), leaf(0, '01', [h, n]), op(0, '0300', [1, 2]), leaf(0, '01', [h]),
    op(0, '0100', [3, 4]), leaf(0, '01', [1, h]), op(0, '0300', [5, 6]), leaf(0, '01', [1]), op(0, '0100', [7, 8]),
    op(2, '0700', [9]), leaf(4, '00', [1, 1]), op(8, '0400', [10, 11]),
  ].join(' '));
}

const randomWeights = (n: number, seed: bigint): AnnWeights => {
  const rng = new KannRandom([seed, 1n]);
  const w = initWeights(n, hiddenWidth(n, 1.5), rng);
  w.b1.forEach((_, i) => (w.b1[i] = rng.normal() * 0.1));
  w.b2[0] = -0.25;
  return w;
};

describe('kann writer (spec §10.2, §10.3)', () => {
  it('writes the 341-byte header of the 13-node graph, starting as the spec shows for n = 54', () => {
    const w = randomWeights(54, 1n);
    const blob = writeKann(w);
    expect(blob.subarray(0, 30)).toEqual(hex('4b414e01 0d000000 00000000 01000000 00 00000000 02 01000000 36000000'));
    expect(blob.subarray(0, 341)).toEqual(specHeader(54, 82));
    expect(blob.length).toBe(18713);
    expect(rspamdKannSize(54, 82)).toBe(18713);
  });

  it('refuses shapes that do not match the graph', () => {
    const w = randomWeights(4, 6n);
    expect(() => writeKann({ ...w, b2: new Float32Array(2) })).toThrow(KannFormatError);
    const nodes: KannNode[] = [{ kind: 'leaf', extLabel: 0, extFlag: 0, flag: 1, dims: [2, 3] }];
    expect(() => serializeKann(nodes, new Map())).toThrow(/node 0 needs 6 values, got none/);
  });

  it('header is 341 bytes for any size, then W1, b1, w2, b2 as float32 LE', () => {
    const w = randomWeights(3, 2n);
    const blob = writeKann(w);
    expect(blob.length).toBe(341 + 4 * (5 * 3 + 2 * 5 + 1));
    expect(blob.length).toBe(445); // the n = 3 network built inside rspamd (neural-notes §3)
    expect(blob.subarray(0, 341)).toEqual(specHeader(3, 5));
    const floats = new Float32Array(blob.buffer.slice(blob.byteOffset + 341, blob.byteOffset + blob.length));
    expect(Array.from(floats)).toEqual([...w.w1, ...w.b1, ...w.w2, ...w.b2]);
  });
});

describe('kann reader', () => {
  it('round-trips bit for bit and the read-back forward pass equals the in-memory network', () => {
    const w = randomWeights(40, 3n);
    const blob = writeKann(w);
    const loaded = readKann(blob);
    expect(loaded.nIn).toBe(40);
    expect(loaded.graph.trailingBytes).toBe(0);
    const back = loaded.weights!;
    for (const k of ['w1', 'b1', 'w2', 'b2'] as const) {
      expect(Buffer.from(back[k].buffer, back[k].byteOffset, back[k].byteLength)).toEqual(Buffer.from(w[k].buffer));
    }
    expect(writeKann(back)).toEqual(blob);
    const rng = new KannRandom([9n, 9n]);
    for (let t = 0; t < 20; t++) {
      const x = Array.from({ length: 40 }, () => (rng.uniform() < 0.3 ? rng.uniform() * 2 - 0.5 : 0));
      expect(loaded.forward(x)).toBeCloseTo(forward(w, x), 6);
    }
  });

  it('crafted weights give tanh(4) = 0.999 and tanh(1) = 0.762 (the live check of spec §10.3)', () => {
    const w: AnnWeights = {
      nIn: 3,
      hidden: 2,
      w1: Float32Array.from([4, 0, 0, 0, 1, 0]),
      b1: new Float32Array(2),
      w2: Float32Array.from([1, 1]),
      b2: new Float32Array(1),
    };
    const net = readKann(writeKann(w));
    expect(net.forward([1, 0, 0]).toFixed(3)).toBe('0.999');
    expect(net.forward([0, 1, 0]).toFixed(3)).toBe('0.762');
    expect(net.forward([-3, 1, 0]).toFixed(3)).toBe('0.762'); // ReLU on the inputs
    const ham = readKann(writeKann({ ...w, w2: Float32Array.from([-1, -1]) }));
    expect(ham.forward([1, 0, 0]).toFixed(3)).toBe('-0.999');
  });

  it('evaluates other graphs too (a tanh hidden layer, 14 nodes) but reports no rspamd weights', () => {
    const nodes: KannNode[] = [
      { kind: 'leaf', extLabel: 0, extFlag: 1, flag: 0, dims: [1, 2] },
      { kind: 'op', extLabel: 0, extFlag: 0, flag: 0, op: 8, children: [0], pre: -1, params: new Uint8Array() },
      { kind: 'leaf', extLabel: 0, extFlag: 0, flag: 1, dims: [2, 2] },
      { kind: 'op', extLabel: 0, extFlag: 0, flag: 1, op: 3, children: [1, 2], pre: -1, params: new Uint8Array() },
      { kind: 'leaf', extLabel: 0, extFlag: 0, flag: 1, dims: [2] },
      { kind: 'op', extLabel: 0, extFlag: 0, flag: 1, op: 1, children: [3, 4], pre: -1, params: new Uint8Array() },
      { kind: 'op', extLabel: 0, extFlag: 0, flag: 1, op: 7, children: [5], pre: -1, params: new Uint8Array() },
      { kind: 'leaf', extLabel: 0, extFlag: 0, flag: 1, dims: [1, 2] },
      { kind: 'op', extLabel: 0, extFlag: 0, flag: 1, op: 3, children: [6, 7], pre: -1, params: new Uint8Array() },
      { kind: 'leaf', extLabel: 0, extFlag: 0, flag: 1, dims: [1] },
      { kind: 'op', extLabel: 0, extFlag: 0, flag: 1, op: 1, children: [8, 9], pre: -1, params: new Uint8Array() },
      { kind: 'op', extLabel: 0, extFlag: 2, flag: 1, op: 7, children: [10], pre: -1, params: new Uint8Array() },
      { kind: 'leaf', extLabel: 0, extFlag: 4, flag: 0, dims: [1, 1] },
      { kind: 'op', extLabel: 0, extFlag: 8, flag: 1, op: 4, children: [11, 12], pre: -1, params: new Uint8Array() },
    ];
    const values = new Map([
      [2, Float32Array.from([1, 2, -1, 0.5])],
      [4, Float32Array.from([0.1, -0.2])],
      [7, Float32Array.from([1.5, -0.7])],
      [9, Float32Array.from([0.05])],
    ]);
    const loaded = readKann(Buffer.concat([serializeKann(nodes, values), Buffer.from([1, 2, 3])]));
    expect(loaded.weights).toBeNull();
    expect(loaded.graph.trailingBytes).toBe(3);
    const x = [0.4, -2];
    const h = [Math.tanh(1 * 0.4 + 0.1), Math.tanh(-1 * 0.4 - 0.2)];
    expect(loaded.forward(x)).toBeCloseTo(Math.tanh(1.5 * h[0] - 0.7 * h[1] + 0.05), 6);
  });

  it.each([
    ['bad magic', (b: Buffer) => Buffer.concat([Buffer.from('KAN\x02'), b.subarray(4)]), /magic/],
    ['truncated data', (b: Buffer) => b.subarray(0, b.length - 1), /truncated/],
    ['truncated header', (b: Buffer) => b.subarray(0, 100), /truncated/],
    ['child pointing forward', (b: Buffer) => { const c = Buffer.from(b); c.writeInt32LE(5, 8 + 22 + 15); return c; }, /child 5/],
    ['absurd node count', (b: Buffer) => { const c = Buffer.from(b); c.writeInt32LE(-1, 4); return c; }, /node count/],
  ])('rejects %s with a KannFormatError', (_name, mutate, msg) => {
    const blob = mutate(writeKann(randomWeights(4, 4n)));
    expect(() => readKann(blob)).toThrow(KannFormatError);
    expect(() => readKann(blob)).toThrow(msg);
  });

  it('rejects operators it cannot evaluate on the output path', () => {
    const blob = Buffer.from(writeKann(randomWeights(4, 5n)));
    // node 10 (tanh, the output) starts at 8 + 22+27+22+31+18+31+22+31+18+31 = 261; op code at +13
    blob.writeUInt16LE(6, 261 + 13);
    expect(parseKann(blob).nodes[10]).toMatchObject({ kind: 'op', op: 6 });
    expect(() => readKann(blob)).toThrow(/operator 6/);
  });
});
