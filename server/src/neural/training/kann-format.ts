/**
 * The kann binary model format as rspamd 3.4 stores it in the `ann` hash field (spec §10.2), and the exact
 * 13-node graph the neural plugin builds (spec §10.3). Shared by the writer and the reader.
 */

export const KANN_MAGIC = Buffer.from([0x4b, 0x41, 0x4e, 0x01]); // "KAN\1"

/**
 * Operator ids of kautodiff's operator table (KA:2693-2733) that rspamd's graphs use: the 3.4 symbol network needs
 * add, cmul, ce_bin_neg, tanh and relu; 4.x's funnel network (neural-4x.md §4.2) adds mul (layer norm's scale),
 * select + dropout (kann's switchable dropout layer), stdnorm (layer norm) and gelu.
 */
export const KannOp = {
  add: 1,
  mul: 2,
  cmul: 3,
  ceBinNeg: 4,
  tanh: 7,
  relu: 8,
  select: 12,
  dropout: 15,
  stdnorm: 32,
  gelu: 37,
} as const;

/** ext_flag bits (kann's KANN_F_*). */
export const KannExtFlag = { input: 1, output: 2, truth: 4, cost: 8 } as const;

/** Node flag bits (kautodiff's KAD_VAR / KAD_CONST); a leaf with neither is a feed. */
export const KannNodeFlag = { variable: 1, constant: 2 } as const;

/** kautodiff's KAD_MAX_DIM: a leaf has at most 4 dimensions. */
export const KANN_MAX_DIMS = 4;

interface KannNodeBase {
  extLabel: number;
  extFlag: number;
  flag: number;
}

export interface KannLeaf extends KannNodeBase {
  kind: 'leaf';
  dims: number[];
}

export interface KannOpNode extends KannNodeBase {
  kind: 'op';
  op: number;
  children: number[];
  pre: number;
  /**
   * Operator parameters (ptr_size bytes): empty for the 3.4 graph's operators; select holds its int32 branch index,
   * dropout its 32-byte random generator state (neural-4x.md §4.2).
   */
  params: Uint8Array;
}

export type KannNode = KannLeaf | KannOpNode;

export function leafLength(leaf: KannLeaf): number {
  let len = 1;
  for (const d of leaf.dims) len *= d;
  return len;
}

/** Row width of a feed: d[0] is the batch dimension (written as 1), the width is the product of the others. */
export function feedWidth(feed: KannLeaf): number {
  return feed.dims.length <= 1 ? (feed.dims[0] ?? 0) : feed.dims.slice(1).reduce((a, d) => a * d, 1);
}

export const isVariable = (n: KannNode): n is KannLeaf => n.kind === 'leaf' && (n.flag & KannNodeFlag.variable) !== 0;
export const isConstant = (n: KannNode): n is KannLeaf => n.kind === 'leaf' && (n.flag & KannNodeFlag.constant) !== 0;

/** Byte size of a node record: 14 + 4·n_d for leaves, 4+4+1+4+2 + 4·n_child + 4 + 4 + ptr_size for operators. */
export function nodeRecordSize(node: KannNode): number {
  return node.kind === 'leaf' ? 14 + 4 * node.dims.length : 23 + 4 * node.children.length + node.params.length;
}

const leaf = (extFlag: number, flag: number, dims: number[]): KannLeaf => ({ kind: 'leaf', extLabel: 0, extFlag, flag, dims });
const op = (extFlag: number, flag: number, code: number, children: number[]): KannOpNode => ({
  kind: 'op',
  extLabel: 0,
  extFlag,
  flag,
  op: code,
  children,
  pre: -1,
  params: new Uint8Array(0),
});

/**
 * The graph of spec §10.3 table: input → relu → cmul(W1) + b1 → cmul(w2) + b2 → tanh (output), truth feed,
 * ce_bin_neg cost. Variable nodes 2, 4, 6, 8 hold W1 [h, n], b1 [h], w2 [1, h], b2 [1] in that storage order.
 */
export function rspamdGraph(nIn: number, hidden: number): KannNode[] {
  const V = KannNodeFlag.variable;
  return [
    leaf(KannExtFlag.input, 0, [1, nIn]), // 0: feed, batch dimension written as 1
    op(0, 0, KannOp.relu, [0]), // 1
    leaf(0, V, [hidden, nIn]), // 2: W1
    op(0, V, KannOp.cmul, [1, 2]), // 3
    leaf(0, V, [hidden]), // 4: b1
    op(0, V, KannOp.add, [3, 4]), // 5
    leaf(0, V, [1, hidden]), // 6: w2
    op(0, V, KannOp.cmul, [5, 6]), // 7
    leaf(0, V, [1]), // 8: b2
    op(0, V, KannOp.add, [7, 8]), // 9
    op(KannExtFlag.output, V, KannOp.tanh, [9]), // 10
    leaf(KannExtFlag.truth, 0, [1, 1]), // 11
    op(KannExtFlag.cost, V, KannOp.ceBinNeg, [10, 11]), // 12
  ];
}

/** Header (magic + count + node records) of rspamd's graph: 341 bytes whatever n and h are (spec §10.3). */
export const RSPAMD_KANN_HEADER_SIZE = 341;

/** Total blob size for rspamd's graph: 341 + 4·(h·n + 2h + 1). */
export function rspamdKannSize(nIn: number, hidden: number): number {
  return RSPAMD_KANN_HEADER_SIZE + 4 * (hidden * nIn + 2 * hidden + 1);
}
