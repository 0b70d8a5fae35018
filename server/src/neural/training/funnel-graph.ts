/**
 * The kann graph rspamd 4.x saves for the funnel network (neural-4x.md §4.2: 21 nodes for one layer), built the way
 * kann builds it: the layers' nodes with their children, then kann's own linearisation (KA `kad_compile_array`:
 * Kahn's algorithm from the cost node, reversed), so the node order, flags and the variable order of the data block
 * are the ones rspamd's save produces and its load expects.
 */
import { KannFormatError } from './errors.js';
import { KannExtFlag, type KannNode, KannNodeFlag, KannOp } from './kann-format.js';
import { serializeKann } from './kann-writer.js';
import type { FunnelWeights } from './funnel-network.js';
import { KANN_RNG_STATE_BYTES } from './rng.js';

interface BuildNode {
  extFlag: number;
  /** Leaves: KAD_VAR / KAD_CONST / 0 (feed). Operators: filled in by `linearise` (VAR when a child back-propagates). */
  flag: number;
  dims?: number[];
  op?: number;
  children: BuildNode[];
  params?: Uint8Array;
  values?: Float32Array;
  tmp: number;
}

const leaf = (flag: number, dims: number[], values?: Float32Array, extFlag = 0): BuildNode => ({ extFlag, flag, dims, children: [], values, tmp: 0 });
const op = (code: number, children: BuildNode[], params?: Uint8Array): BuildNode => ({ extFlag: 0, flag: 0, op: code, children, params, tmp: 0 });

/** The raw (not zstd'd) `ann` payload of a trained funnel network. */
export function writeFunnelKann(w: FunnelWeights, dropoutStates: readonly (Uint8Array | null)[]): Buffer {
  const { nodes, values } = funnelGraph(w, dropoutStates);
  return serializeKann(nodes, values);
}

export function funnelGraph(
  w: FunnelWeights,
  dropoutStates: readonly (Uint8Array | null)[],
): { nodes: KannNode[]; values: Map<number, Float32Array> } {
  const { shape } = w;
  const V = KannNodeFlag.variable;
  let t = leaf(0, [1, shape.nIn], undefined, KannExtFlag.input);
  let prev = shape.nIn;
  shape.sizes.forEach((units, l) => {
    const layer = w.layers[l];
    checkLength(layer.w, units * prev, `layer ${l} W`);
    checkLength(layer.b, units, `layer ${l} b`);
    t = op(KannOp.add, [op(KannOp.cmul, [t, leaf(V, [units, prev], layer.w)]), leaf(V, [units], layer.b)]);
    if (shape.layernorm) {
      if (!layer.gamma || !layer.beta) throw new KannFormatError(`layer ${l} has no layer norm weights`);
      checkLength(layer.gamma, units, `layer ${l} gamma`);
      checkLength(layer.beta, units, `layer ${l} beta`);
      t = op(KannOp.add, [op(KannOp.mul, [op(KannOp.stdnorm, [t]), leaf(V, [units], layer.gamma)]), leaf(V, [units], layer.beta)]);
    }
    t = op(shape.activation === 'gelu' ? KannOp.gelu : KannOp.relu, [t]);
    if (shape.dropout[l] > 0) {
      const state = dropoutStates[l];
      if (!state || state.length !== KANN_RNG_STATE_BYTES) throw new KannFormatError(`layer ${l} dropout has no generator state`);
      const rate = leaf(KannNodeFlag.constant, [], Float32Array.of(shape.dropout[l]));
      const dropped = op(KannOp.dropout, [t, rate], state);
      // select: int32 branch index, 0 = no dropout (what a saved, trained network holds)
      t = op(KannOp.select, [t, dropped], new Uint8Array(4));
    }
    prev = units;
  });
  checkLength(w.outW, prev, 'cost layer W');
  const out = op(KannOp.tanh, [op(KannOp.add, [op(KannOp.cmul, [t, leaf(V, [1, prev], w.outW)]), leaf(V, [1], w.outB)])]);
  out.extFlag = KannExtFlag.output;
  const cost = op(KannOp.ceBinNeg, [out, leaf(0, [1, 1], undefined, KannExtFlag.truth)]);
  cost.extFlag = KannExtFlag.cost;
  return toKannNodes(linearise(cost));
}

function checkLength(a: Float32Array, n: number, what: string): void {
  if (a.length !== n) throw new KannFormatError(`${what} has ${a.length} values, the shape needs ${n}`);
}

/** kad_compile_array with one root: count parents, Kahn's algorithm with a stack, reverse; then kad_mark_back. */
function linearise(root: BuildNode): BuildNode[] {
  const stack: BuildNode[] = [root];
  root.tmp = 1;
  while (stack.length) {
    const p = stack.pop()!;
    for (const q of p.children) {
      if (q.tmp === 0) stack.push(q);
      q.tmp += 2;
    }
  }
  const order: BuildNode[] = [];
  if (root.tmp >> 1 === 0) stack.push(root);
  while (stack.length) {
    const p = stack.pop()!;
    order.push(p);
    for (const q of p.children) {
      q.tmp -= 2;
      if (q.tmp >> 1 === 0) stack.push(q);
    }
  }
  order.reverse();
  for (const n of order) {
    n.tmp = 0;
    if (n.children.length > 0) n.flag = n.children.some((c) => c.flag & KannNodeFlag.variable) ? KannNodeFlag.variable : 0;
  }
  return order;
}

function toKannNodes(order: BuildNode[]): { nodes: KannNode[]; values: Map<number, Float32Array> } {
  const index = new Map(order.map((n, i) => [n, i]));
  const values = new Map<number, Float32Array>();
  const nodes = order.map((n, i): KannNode => {
    if (n.children.length === 0) {
      if (n.values) values.set(i, n.values);
      return { kind: 'leaf', extLabel: 0, extFlag: n.extFlag, flag: n.flag, dims: n.dims! };
    }
    return {
      kind: 'op',
      extLabel: 0,
      extFlag: n.extFlag,
      flag: n.flag,
      op: n.op!,
      children: n.children.map((c) => index.get(c)!),
      pre: -1,
      params: n.params ?? new Uint8Array(0),
    };
  });
  return { nodes, values };
}
