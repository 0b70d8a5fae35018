/**
 * Parses kann binaries (spec §10.2). Any graph is accepted at the record level, as rspamd does (it loads any
 * valid kann graph with one input feed and one output, §10.3); when the graph is rspamd's 13-node network the
 * weights are also returned in `AnnWeights` form. Bounds are checked on every read: blobs come from Redis.
 */
import { KannFormatError } from '../../../server/src/neural/training/errors.js';
import { compileForward } from './kann-evaluator.js';
import {
  isConstant,
  isVariable,
  KANN_MAGIC,
  KANN_MAX_DIMS,
  KannExtFlag,
  feedWidth,
  KannNode,
  leafLength,
  rspamdGraph,
} from '../../../server/src/neural/training/kann-format.js';
import { AnnWeights } from '../../../server/src/neural/training/network.js';

export interface ParsedKann {
  nodes: KannNode[];
  /** Contents of every variable and constant node, by node index. */
  values: Map<number, Float32Array>;
  /** Bytes after the declared data; kann ignores them when loading, so do we (but report them). */
  trailingBytes: number;
}

export interface LoadedKann {
  graph: ParsedKann;
  /** Input width (d[1] of the input feed), what rspamd compares with 26 + #symbols (spec §10.3). */
  nIn: number;
  /** Set when the graph is exactly rspamd's 13-node network. */
  weights: AnnWeights | null;
  /** Network output for one input row (kann's single-row apply). */
  forward: (x: ArrayLike<number>) => number;
}

const MAX_NODES = 1 << 16;

class Cursor {
  off = 0;
  constructor(private readonly buf: Buffer) {}
  need(n: number, what: string): void {
    if (this.off + n > this.buf.length) {
      throw new KannFormatError(`truncated kann blob: ${what} at byte ${this.off} needs ${n} bytes, ${this.buf.length - this.off} left`);
    }
  }
  i32(what: string): number {
    this.need(4, what);
    const v = this.buf.readInt32LE(this.off);
    this.off += 4;
    return v;
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.off);
    this.off += 4;
    return v;
  }
  u16(what: string): number {
    this.need(2, what);
    const v = this.buf.readUInt16LE(this.off);
    this.off += 2;
    return v;
  }
  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.off++];
  }
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = Uint8Array.prototype.slice.call(this.buf, this.off, this.off + n);
    this.off += n;
    return out;
  }
}

export function parseKann(buf: Buffer): ParsedKann {
  if (buf.length < 8 || !buf.subarray(0, 4).equals(KANN_MAGIC)) throw new KannFormatError('not a kann blob (bad magic)');
  const cur = new Cursor(buf);
  cur.off = 4;
  const nNodes = cur.i32('node count');
  if (nNodes < 1 || nNodes > MAX_NODES) throw new KannFormatError(`implausible node count ${nNodes}`);
  const nodes: KannNode[] = [];
  for (let idx = 0; idx < nNodes; idx++) {
    const extLabel = cur.i32('ext_label');
    const extFlag = cur.u32('ext_flag');
    const flag = cur.u8('flag');
    const nChild = cur.i32('n_child');
    if (nChild < 0 || nChild > idx) throw new KannFormatError(`node ${idx}: bad child count ${nChild}`);
    if (nChild === 0) {
      const nd = cur.u8('n_d');
      if (nd > KANN_MAX_DIMS) throw new KannFormatError(`node ${idx}: ${nd} dimensions (max ${KANN_MAX_DIMS})`);
      const dims: number[] = [];
      for (let k = 0; k < nd; k++) {
        const d = cur.i32('dimension');
        if (d < 0) throw new KannFormatError(`node ${idx}: negative dimension ${d}`);
        dims.push(d);
      }
      nodes.push({ kind: 'leaf', extLabel, extFlag, flag, dims });
    } else {
      const op = cur.u16('op');
      const children: number[] = [];
      for (let k = 0; k < nChild; k++) {
        const c = cur.i32('child index');
        if (c < 0 || c >= idx) throw new KannFormatError(`node ${idx}: child ${c} is not an earlier node`);
        children.push(c);
      }
      const pre = cur.i32('pre');
      const ptrSize = cur.i32('ptr_size');
      if (ptrSize < 0) throw new KannFormatError(`node ${idx}: negative ptr_size`);
      nodes.push({ kind: 'op', extLabel, extFlag, flag, op, children, pre, params: cur.bytes(ptrSize, 'operator params') });
    }
  }
  const values = new Map<number, Float32Array>();
  for (const pick of [isVariable, isConstant]) {
    nodes.forEach((node, idx) => {
      if (!pick(node)) return;
      const len = leafLength(node);
      cur.need(4 * len, `values of node ${idx}`);
      const v = new Float32Array(len);
      for (let i = 0; i < len; i++) v[i] = buf.readFloatLE(cur.off + 4 * i);
      cur.off += 4 * len;
      values.set(idx, v);
    });
  }
  return { nodes, values, trailingBytes: buf.length - cur.off };
}

/** Parse, check there is one input feed and one output node, and compile the forward pass. */
export function readKann(buf: Buffer): LoadedKann {
  const graph = parseKann(buf);
  const inputs = graph.nodes.filter((n) => n.kind === 'leaf' && n.extFlag & KannExtFlag.input);
  if (inputs.length !== 1) throw new KannFormatError(`expected one input feed, found ${inputs.length}`);
  const input = inputs[0];
  if (input.kind !== 'leaf' || input.dims.length < 1) throw new KannFormatError('input feed has no dimensions');
  const nIn = feedWidth(input);
  return { graph, nIn, weights: rspamdWeights(graph), forward: compileForward(graph) };
}

/** AnnWeights when the records are exactly rspamd's graph (spec §10.3) for some n and h, else null. */
export function rspamdWeights(graph: ParsedKann): AnnWeights | null {
  const { nodes, values } = graph;
  if (nodes.length !== 13) return null;
  const w1 = nodes[2];
  if (w1.kind !== 'leaf' || w1.dims.length !== 2) return null;
  const [hidden, nIn] = w1.dims;
  const expected = rspamdGraph(nIn, hidden);
  for (let i = 0; i < 13; i++) if (!sameRecord(expected[i], nodes[i])) return null;
  return { nIn, hidden, w1: values.get(2)!, b1: values.get(4)!, w2: values.get(6)!, b2: values.get(8)! };
}

function sameRecord(a: KannNode, b: KannNode): boolean {
  if (a.kind !== b.kind || a.extLabel !== b.extLabel || a.extFlag !== b.extFlag || a.flag !== b.flag) return false;
  if (a.kind === 'leaf' && b.kind === 'leaf') return a.dims.length === b.dims.length && a.dims.every((d, i) => d === b.dims[i]);
  if (a.kind === 'op' && b.kind === 'op') {
    return a.op === b.op && a.pre === b.pre && a.params.length === b.params.length
      && a.children.length === b.children.length && a.children.every((c, i) => c === b.children[i]);
  }
  return false;
}
