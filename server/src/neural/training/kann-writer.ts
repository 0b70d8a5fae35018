/**
 * Serialises a kann graph (spec §10.2): "KAN\1", int32 node count, node records, then all variables and all
 * constants as float32, in node order, little-endian. `writeKann` emits rspamd 3.4's 13-node graph (§10.3), the
 * only shape the plugin produces, byte-identical to what rspamd writes for the same weights.
 */
import { KannFormatError } from './errors.js';
import {
  isConstant,
  isVariable,
  KANN_MAGIC,
  KannNode,
  leafLength,
  nodeRecordSize,
  rspamdGraph,
} from './kann-format.js';
import { AnnWeights } from './network.js';

/**
 * Generic writer. `values` maps a variable/constant node index to its float32 contents (length = product of
 * the node's dims). Variables are written first, then constants, each group in node order.
 */
export function serializeKann(nodes: readonly KannNode[], values: ReadonlyMap<number, Float32Array>): Buffer {
  let size = 8;
  let nData = 0;
  nodes.forEach((node, idx) => {
    size += nodeRecordSize(node);
    if (isVariable(node) || isConstant(node)) {
      const v = values.get(idx);
      const expected = leafLength(node);
      if (!v || v.length !== expected) {
        throw new KannFormatError(`node ${idx} needs ${expected} values, got ${v ? v.length : 'none'}`);
      }
      nData += expected;
    } else if (node.kind === 'op') {
      for (const c of node.children) {
        if (!Number.isInteger(c) || c < 0 || c >= idx) throw new KannFormatError(`node ${idx} has child ${c}`);
      }
    }
  });
  const buf = Buffer.alloc(size + 4 * nData);
  KANN_MAGIC.copy(buf, 0);
  buf.writeInt32LE(nodes.length, 4);
  let off = 8;
  for (const node of nodes) {
    buf.writeInt32LE(node.extLabel, off);
    buf.writeUInt32LE(node.extFlag, off + 4);
    buf.writeUInt8(node.flag, off + 8);
    if (node.kind === 'leaf') {
      buf.writeInt32LE(0, off + 9);
      buf.writeUInt8(node.dims.length, off + 13);
      off += 14;
      for (const d of node.dims) {
        buf.writeInt32LE(d, off);
        off += 4;
      }
    } else {
      buf.writeInt32LE(node.children.length, off + 9);
      buf.writeUInt16LE(node.op, off + 13);
      off += 15;
      for (const c of node.children) {
        buf.writeInt32LE(c, off);
        off += 4;
      }
      buf.writeInt32LE(node.pre, off);
      buf.writeInt32LE(node.params.length, off + 4);
      off += 8;
      buf.set(node.params, off);
      off += node.params.length;
    }
  }
  for (const pick of [isVariable, isConstant]) {
    nodes.forEach((node, idx) => {
      if (!pick(node)) return;
      const v = values.get(idx)!;
      for (let i = 0; i < v.length; i++, off += 4) buf.writeFloatLE(v[i], off);
    });
  }
  return buf;
}

/** rspamd's 13-node network with these weights, as the raw (not zstd'd) `ann` payload. */
export function writeKann(w: AnnWeights): Buffer {
  const { nIn, hidden } = w;
  if (w.w1.length !== hidden * nIn || w.b1.length !== hidden || w.w2.length !== hidden || w.b2.length !== 1) {
    throw new KannFormatError(`weight shapes do not match n = ${nIn}, h = ${hidden}`);
  }
  const values = new Map<number, Float32Array>([
    [2, w.w1],
    [4, w.b1],
    [6, w.w2],
    [8, w.b2],
  ]);
  return serializeKann(rspamdGraph(nIn, hidden), values);
}
