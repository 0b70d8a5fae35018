/**
 * The network rspamd 3.4's neural plugin builds (spec §9.1): y = tanh(w2·(W1·relu(x) + b1) + b2), with a linear
 * hidden layer and the ReLU on the inputs. Parameters are float32 like kann's; arithmetic here runs in double
 * and is rounded to float32 where kann stores a value (documented per function).
 */
import { KannRandom } from './rng.js';

export interface AnnWeights {
  nIn: number;
  hidden: number;
  /** h rows × n columns, row-major (row i = hidden unit i), exactly the kann storage order (spec §10.3). */
  w1: Float32Array;
  b1: Float32Array;
  /** 1 × h. */
  w2: Float32Array;
  /** length 1. */
  b2: Float32Array;
}

/** floor(n·mult + 1), as the plugin computes it in Lua doubles (spec §9.1: 82 for n = 54, mult 1.5). */
export function hiddenWidth(nIn: number, hiddenLayerMult: number): number {
  return Math.floor(nIn * hiddenLayerMult + 1);
}

/**
 * Fresh weights as kann draws them (spec §9.5): W1 row by row then w2, each N(0,1)/sqrt(fan-in), biases 0.
 * The generator is advanced, so the caller's later shuffles continue the same stream as rspamd's child does.
 */
export function initWeights(nIn: number, hidden: number, rng: KannRandom): AnnWeights {
  const w1 = new Float32Array(hidden * nIn);
  const s1 = 1 / Math.sqrt(nIn);
  for (let i = 0; i < w1.length; i++) w1[i] = rng.normal() * s1;
  const w2 = new Float32Array(hidden);
  const s2 = 1 / Math.sqrt(hidden);
  for (let i = 0; i < hidden; i++) w2[i] = rng.normal() * s2;
  return { nIn, hidden, w1, b1: new Float32Array(hidden), w2, b2: new Float32Array(1) };
}

/** kann's tanh (spec §9.1): −1 below −20 (where e^(−2z) would overflow), else (1 − e^(−2z)) / (1 + e^(−2z)), float32. */
export function kannTanh(z: number): number {
  if (z < -20) return -1;
  const e = Math.exp(-2 * z);
  return Math.fround((1 - e) / (1 + e));
}

const TINY = Math.fround(1e-9);

/** ce_bin_neg for one output (spec §9.2): ln(2/(1+y)) for target +1, ln(2/(1−y)) for −1, denominators clamped. */
export function ceBinNegLoss(y: number, target: number): number {
  let cost = 0;
  if (1 + target > 0) cost += 0.5 * (1 + target) * Math.log((1 + target) / Math.max(1 + y, TINY));
  if (1 - target > 0) cost += 0.5 * (1 - target) * Math.log((1 - target) / Math.max(1 - y, TINY));
  return cost;
}

/**
 * d(loss)/dz for one sample of a batch of size `batch`. Spec §9.2 simplifies this to (y − t)/B; we keep kann's
 * two factors (clamped ce_bin_neg derivative × tanh's 1 − y²) so that the one case where they differ — a float32
 * output saturated at the wrong sign, y = −t exactly — also gets kann's zero gradient instead of ±2/B.
 */
export function outputGradient(y: number, target: number, batch: number): number {
  let gy = 0;
  if (1 + target > 0) gy -= (0.5 * (1 + target)) / Math.max(1 + y, TINY);
  if (1 - target > 0) gy += (0.5 * (1 - target)) / Math.max(1 - y, TINY);
  return (gy * (1 - y * y)) / batch;
}

/** The network output for one input row (relu on the inputs, linear hidden layer, tanh). */
export function forward(w: AnnWeights, x: ArrayLike<number>): number {
  if (x.length !== w.nIn) throw new RangeError(`input width ${x.length}, network expects ${w.nIn}`);
  const { nIn, hidden, w1, b1, w2, b2 } = w;
  let z = b2[0];
  for (let i = 0; i < hidden; i++) {
    let a = b1[i];
    const base = i * nIn;
    for (let j = 0; j < nIn; j++) {
      const v = x[j];
      if (v > 0) a += w1[base + j] * v;
    }
    z += w2[i] * a;
  }
  return kannTanh(z);
}

/** Mean ce_bin_neg over rows (targets ±1): the validation cost kann reports. */
export function meanCost(w: AnnWeights, rows: readonly ArrayLike<number>[], targets: ArrayLike<number>): number {
  let sum = 0;
  for (let r = 0; r < rows.length; r++) sum += ceBinNegLoss(forward(w, rows[r]), targets[r]);
  return sum / rows.length;
}

export function cloneWeights(w: AnnWeights): AnnWeights {
  return { nIn: w.nIn, hidden: w.hidden, w1: w.w1.slice(), b1: w.b1.slice(), w2: w.w2.slice(), b2: w.b2.slice() };
}
