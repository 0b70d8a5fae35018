/**
 * Forward pass of a parsed kann graph for a single input row, as rspamd's scanner runs it (spec §9.7, §10.3).
 * Supports the operators rspamd's graphs use: add, cmul, relu, tanh (3.4's symbol network) and mul, stdnorm, gelu,
 * select (4.x's funnel network, neural-4x.md §4.2). A select follows only the branch its stored index names, as
 * kann's evaluation does, so a saved network's dropout (branch 1) is never run. Anything else on the path from the
 * input to the output is rejected when compiling, not silently mis-evaluated. Node values are rounded to float32,
 * as kann computes them.
 */
import { KannFormatError } from '../../../server/src/neural/training/errors.js';
import { feedWidth, KannExtFlag, KannLeaf, KannNode, KannOp, leafLength } from '../../../server/src/neural/training/kann-format.js';
import { kannTanh } from '../../../server/src/neural/training/network.js';
import { geluForward, stdnormForward } from '../../../server/src/neural/training/funnel-ops.js';

interface GraphView {
  nodes: KannNode[];
  values: Map<number, Float32Array>;
}

type Step = (vals: (Float32Array | null)[]) => Float32Array;

export function compileForward(graph: GraphView): (x: ArrayLike<number>) => number {
  const { nodes, values } = graph;
  const outputs = nodes.map((n, i) => (n.extFlag & KannExtFlag.output ? i : -1)).filter((i) => i >= 0);
  if (outputs.length !== 1) throw new KannFormatError(`expected one output node, found ${outputs.length}`);
  const out = outputs[0];

  const needed = new Uint8Array(nodes.length);
  needed[out] = 1;
  for (let i = out; i >= 0; i--) {
    const node = nodes[i];
    if (!needed[i] || node.kind !== 'op') continue;
    if (node.op === KannOp.select) needed[node.children[selectedBranch(node, i)]] = 1;
    else for (const c of node.children) needed[c] = 1;
  }

  let inputIndex = -1;
  const plan: { index: number; run: Step }[] = [];
  for (let i = 0; i <= out; i++) {
    if (!needed[i]) continue;
    const node = nodes[i];
    if (node.kind === 'leaf') {
      const stored = values.get(i);
      if (stored) {
        plan.push({ index: i, run: () => stored });
      } else if (node.extFlag & KannExtFlag.input) {
        inputIndex = i;
      } else {
        throw new KannFormatError(`output depends on feed node ${i}, which is not the input`);
      }
    } else {
      plan.push({ index: i, run: operatorStep(nodes, i) });
    }
  }
  if (inputIndex < 0) throw new KannFormatError('output does not depend on an input feed');
  const width = feedWidth(nodes[inputIndex] as KannLeaf);

  return (x) => {
    if (x.length !== width) throw new KannFormatError(`input has ${x.length} values, network expects ${width}`);
    const vals: (Float32Array | null)[] = new Array(nodes.length).fill(null);
    vals[inputIndex] = Float32Array.from(x);
    for (const step of plan) vals[step.index] = step.run(vals);
    return vals[out]![0];
  };
}

function operatorStep(nodes: KannNode[], index: number): Step {
  const node = nodes[index];
  if (node.kind !== 'op') throw new KannFormatError(`node ${index} is not an operator`);
  const [a, b] = node.children;
  switch (node.op) {
    case KannOp.relu:
      return (vals) => vals[a]!.map((v) => (v > 0 ? v : 0));
    case KannOp.tanh:
      return (vals) => vals[a]!.map((v) => kannTanh(v));
    case KannOp.add:
      // kann's add broadcasts the second operand when its length divides the first's (bias over a batch row)
      return (vals) => {
        const x = vals[a]!;
        const y = vals[b]!;
        if (y.length === 0 || x.length % y.length !== 0) throw new KannFormatError(`add at node ${index}: lengths ${x.length}, ${y.length}`);
        const r = new Float32Array(x.length);
        for (let i = 0; i < x.length; i++) r[i] = x[i] + y[i % y.length];
        return r;
      };
    case KannOp.cmul: {
      // x · Wᵀ: W is [rows, cols]; one output per row of W
      const w = nodes[b];
      if (w.kind !== 'leaf' || w.dims.length < 1) throw new KannFormatError(`cmul at node ${index}: weight is not a stored matrix`);
      const rows = w.dims[0];
      const cols = rows === 0 ? 0 : leafLength(w) / rows;
      return (vals) => {
        const x = vals[a]!;
        const m = vals[b]!;
        if (x.length !== cols) throw new KannFormatError(`cmul at node ${index}: ${x.length} inputs for ${cols} columns`);
        const r = new Float32Array(rows);
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let k = 0; k < cols; k++) s += x[k] * m[i * cols + k];
          r[i] = s;
        }
        return r;
      };
    }
    case KannOp.mul:
      // element-wise, the second operand repeated over the first (layer norm's γ over a batch row)
      return (vals) => {
        const x = vals[a]!;
        const y = vals[b]!;
        if (y.length === 0 || x.length % y.length !== 0) throw new KannFormatError(`mul at node ${index}: lengths ${x.length}, ${y.length}`);
        const r = new Float32Array(x.length);
        for (let i = 0; i < x.length; i++) r[i] = x[i] * y[i % y.length];
        return r;
      };
    case KannOp.stdnorm:
      return (vals) => {
        const x = vals[a]!;
        const r = new Float32Array(x.length);
        stdnormForward(x, 1, x.length, r, new Float32Array(1));
        return r;
      };
    case KannOp.gelu:
      return (vals) => {
        const r = new Float32Array(vals[a]!.length);
        geluForward(vals[a]!, r);
        return r;
      };
    case KannOp.select: {
      const which = node.children[selectedBranch(node, index)];
      return (vals) => vals[which]!;
    }
    default:
      throw new KannFormatError(`operator ${node.op} at node ${index} is not supported by this evaluator`);
  }
}

/** The branch a select node follows: its int32 parameter, negative counting from the end (KA `kad_op_select`). */
function selectedBranch(node: KannNode, index: number): number {
  if (node.kind !== 'op' || node.params.length !== 4) throw new KannFormatError(`select at node ${index} has no branch index`);
  let which = new DataView(node.params.buffer, node.params.byteOffset, 4).getInt32(0, true);
  if (which < 0) which += node.children.length;
  if (which < 0 || which >= node.children.length) throw new KannFormatError(`select at node ${index} names branch ${which}`);
  return which;
}
