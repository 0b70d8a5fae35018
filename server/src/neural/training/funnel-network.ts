/**
 * rspamd 4.x's "embedding" (funnel) network (NL `create_embedding_ann`, neural-4x.md §4.2): input(n), then per layer
 * multiplier m a dense layer of max(⌊n·m⌋, 32) units → optional layer norm → GELU or ReLU → optional dropout (half
 * the rate on the last layer), then the same cost layer as the symbol network (dense(1) + tanh, ce_bin_neg).
 * A rule gets it when it sets `layers`, `dropout` or `use_layernorm` (NL `default_architecture`).
 */
import { TrainingInputError } from './errors.js';
import { KannRandom } from './rng.js';

export type FunnelActivation = 'gelu' | 'relu';

/** The rule options that shape the network, rspamd's names and defaults (NL:247-308). */
export interface FunnelOptions {
  /** Width multipliers of the hidden layers; default by input width: > 512 → [0.5, 0.25, 0.125], > 256 → [0.5, 0.25], else [0.5]. */
  layers?: number[];
  /** Dropout rate, default 0.2; 0 disables dropout. */
  dropout?: number;
  /** Layer norm after each dense layer, default true. */
  useLayernorm?: boolean;
  /** `activation`: `gelu` (default, 4.1.5 has the op) or anything else → ReLU. */
  activation?: FunnelActivation;
}

export interface FunnelShape {
  nIn: number;
  /** Units of each hidden layer. */
  sizes: number[];
  /** Dropout rate of each hidden layer as kann stores it (float32); 0 = no dropout node. */
  dropout: number[];
  layernorm: boolean;
  activation: FunnelActivation;
}

/** Hidden layer weights in kann's storage order: W is units × inputs row-major, then b, then (layer norm) γ, β. */
export interface FunnelLayer {
  w: Float32Array;
  b: Float32Array;
  gamma: Float32Array | null;
  beta: Float32Array | null;
}

export interface FunnelWeights {
  shape: FunnelShape;
  layers: FunnelLayer[];
  /** Cost layer: 1 × last width, and its bias. */
  outW: Float32Array;
  outB: Float32Array;
}

/** Hidden layers rspamd would build; refuses more than a few, which no rspamd default or sane config has. */
export const MAX_FUNNEL_LAYERS = 8;
const MIN_LAYER_UNITS = 32;

export function funnelShape(nIn: number, options: FunnelOptions): FunnelShape {
  const layers = options.layers ?? (nIn > 512 ? [0.5, 0.25, 0.125] : nIn > 256 ? [0.5, 0.25] : [0.5]);
  if (layers.length < 1 || layers.length > MAX_FUNNEL_LAYERS) {
    throw new TrainingInputError(`layers must list 1..${MAX_FUNNEL_LAYERS} multipliers, got ${layers.length}`);
  }
  for (const m of layers) {
    if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0 || m > 16) {
      throw new TrainingInputError(`layer multipliers must be numbers in (0, 16], got ${String(m)}`);
    }
  }
  const rate = options.dropout ?? 0.2;
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) throw new TrainingInputError(`dropout must be in [0, 1), got ${String(rate)}`);
  const last = layers.length - 1;
  return {
    nIn,
    sizes: layers.map((m) => Math.max(Math.floor(nIn * m), MIN_LAYER_UNITS)),
    // rspamd hands the Lua double to kann's float parameter
    dropout: layers.map((_, i) => (rate > 0 ? Math.fround(i === last ? rate * 0.5 : rate) : 0)),
    layernorm: options.useLayernorm ?? true,
    activation: options.activation ?? 'gelu',
  };
}

/** Number of trainable values (what a request may allocate). */
export function funnelWeightCount(shape: FunnelShape): number {
  let n = 0;
  let prev = shape.nIn;
  for (const units of shape.sizes) {
    n += units * prev + units + (shape.layernorm ? 2 * units : 0);
    prev = units;
  }
  return n + prev + 1;
}

/**
 * Initial weights drawn as kann draws them while rspamd builds the graph: in construction order, every matrix
 * N(0,1)/√fan-in, vectors constant (biases and β 0, γ 1); each dropout node jumps the global generator and takes the
 * jumped state as its own (KN `kann_new_leaf_array`, KA `kad_rng`). Returns the dropout generators too, one per
 * hidden layer (null where there is no dropout).
 */
export function initFunnel(shape: FunnelShape, rng: KannRandom): { weights: FunnelWeights; dropoutRngs: (KannRandom | null)[] } {
  const layers: FunnelLayer[] = [];
  const dropoutRngs: (KannRandom | null)[] = [];
  let prev = shape.nIn;
  shape.sizes.forEach((units, l) => {
    const w = normalMatrix(units, prev, rng);
    layers.push({
      w,
      b: new Float32Array(units),
      gamma: shape.layernorm ? new Float32Array(units).fill(1) : null,
      beta: shape.layernorm ? new Float32Array(units) : null,
    });
    dropoutRngs.push(shape.dropout[l] > 0 ? rng.jump() : null);
    prev = units;
  });
  const outW = normalMatrix(1, prev, rng);
  return { weights: { shape, layers, outW, outB: new Float32Array(1) }, dropoutRngs };
}

function normalMatrix(rows: number, cols: number, rng: KannRandom): Float32Array {
  const m = new Float32Array(rows * cols);
  const s = 1 / Math.sqrt(cols);
  for (let i = 0; i < m.length; i++) m[i] = rng.normal() * s;
  return m;
}

export function cloneFunnel(w: FunnelWeights): FunnelWeights {
  return {
    shape: w.shape,
    layers: w.layers.map((l) => ({ w: l.w.slice(), b: l.b.slice(), gamma: l.gamma?.slice() ?? null, beta: l.beta?.slice() ?? null })),
    outW: w.outW.slice(),
    outB: w.outB.slice(),
  };
}

/** Every trainable array in kann's variable order (node order: W, b, γ, β per layer, then the cost layer's). */
export function funnelParams(w: FunnelWeights): Float32Array[] {
  const out: Float32Array[] = [];
  for (const l of w.layers) {
    out.push(l.w, l.b);
    if (l.gamma && l.beta) out.push(l.gamma, l.beta);
  }
  out.push(w.outW, w.outB);
  return out;
}
