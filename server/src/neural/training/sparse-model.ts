/**
 * The network of spec §9.1 in a layout made for sparse mini-batch training.
 *
 * Why it is cheap: the model is y = tanh(z), z = w2·(W1·r + b1) + b2 with r = relu(x) mostly zero. So
 *   z = v·r + c0,   v = W1ᵀ·w2 (only entries at r's non-zero columns are needed),   c0 = w2·b1 + b2,
 * and with dz_k = ∂L/∂z_k per row, c = Σ_k dz_k·r_k (non-zero only on the batch's columns J), s = Σ_k dz_k:
 *   ∂L/∂W1 = w2 ⊗ c      (rank one: zero outside the columns in J)
 *   ∂L/∂b1 = s·w2,   ∂L/∂w2 = W1·c + s·b1,   ∂L/∂b2 = s.
 * Every per-batch cost is O(h·|J| + nnz) instead of kann's O(h·n·B): v over J, then one fused pass over the
 * columns in J that accumulates W1·c and applies RMSprop (rmsprop.ts; untouched columns only decay lazily).
 * W1 is kept transposed (column j contiguous, h long) so both passes stream through memory.
 */
import { AnnWeights, ceBinNegLoss, kannTanh, outputGradient } from './network.js';
import { LazyDecay, RMSPROP_DECAY, rmspropRankOneColumn, rmspropStep } from './rmsprop.js';
import { SparseRows } from './sparse-rows.js';

export interface ParamSnapshot {
  w1t: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

export class SparseTrainingModel {
  readonly nIn: number;
  readonly hidden: number;
  /** W1 transposed: element (i, j) of W1 at [j·h + i]. */
  readonly w1t: Float32Array;
  readonly b1: Float32Array;
  readonly w2: Float32Array;
  readonly b2: Float32Array;
  private readonly rW1t: Float32Array;
  private readonly rB1: Float32Array;
  private readonly rW2: Float32Array;
  private readonly rB2: Float32Array;
  private readonly decay: LazyDecay;
  private readonly lr: number;
  private step = 0;
  // scratch, allocated once
  private readonly v: Float64Array;
  private readonly c: Float64Array;
  private readonly mark: Int32Array;
  private readonly touched: Int32Array;
  private readonly gW2: Float64Array;
  private readonly gB1: Float64Array;
  private readonly gB2 = new Float64Array(1);

  constructor(init: AnnWeights, learningRate: number) {
    const { nIn, hidden } = init;
    this.nIn = nIn;
    this.hidden = hidden;
    this.w1t = new Float32Array(nIn * hidden);
    for (let i = 0; i < hidden; i++) {
      for (let j = 0; j < nIn; j++) this.w1t[j * hidden + i] = init.w1[i * nIn + j];
    }
    this.b1 = init.b1.slice();
    this.w2 = init.w2.slice();
    this.b2 = init.b2.slice();
    this.rW1t = new Float32Array(nIn * hidden);
    this.rB1 = new Float32Array(hidden);
    this.rW2 = new Float32Array(hidden);
    this.rB2 = new Float32Array(1);
    this.decay = new LazyDecay(nIn);
    // kann passes the learning rate as a C float
    this.lr = Math.fround(learningRate);
    this.v = new Float64Array(nIn);
    this.c = new Float64Array(nIn);
    this.mark = new Int32Array(nIn);
    this.touched = new Int32Array(nIn);
    this.gW2 = new Float64Array(hidden);
    this.gB1 = new Float64Array(hidden);
  }

  /**
   * Forward, backward and one RMSprop update for the mini-batch of CSR rows order[start .. start+size).
   * Returns the batch's summed loss (the caller turns it into kann's epoch cost).
   */
  trainBatch(rows: SparseRows, targets: Float32Array, order: Int32Array, start: number, size: number): number {
    const { hidden: h, w1t, b1, w2, b2, v, c, mark, touched, gW2, gB1 } = this;
    const { rowStart, colIndex, values } = rows;
    const step = ++this.step;

    let nTouched = 0;
    for (let b = 0; b < size; b++) {
      const row = order[start + b];
      for (let p = rowStart[row], end = rowStart[row + 1]; p < end; p++) {
        const j = colIndex[p];
        if (mark[j] === step) continue;
        mark[j] = step;
        touched[nTouched++] = j;
        c[j] = 0;
        v[j] = columnDot(w1t, j * h, w2, h);
      }
    }
    let c0 = b2[0];
    for (let i = 0; i < h; i++) c0 += w2[i] * b1[i];

    let lossSum = 0;
    let s = 0;
    for (let b = 0; b < size; b++) {
      const row = order[start + b];
      const from = rowStart[row];
      const end = rowStart[row + 1];
      let z = c0;
      for (let p = from; p < end; p++) z += v[colIndex[p]] * values[p];
      const y = kannTanh(z);
      const t = targets[row];
      lossSum += ceBinNegLoss(y, t);
      const dz = outputGradient(y, t, size);
      if (dz === 0) continue;
      s += dz;
      for (let p = from; p < end; p++) c[colIndex[p]] += dz * values[p];
    }

    // Gradients of the dense parameters from the pre-update values (kann computes all gradients, then updates).
    for (let i = 0; i < h; i++) {
      gW2[i] = s * b1[i];
      gB1[i] = s * w2[i];
    }
    this.gB2[0] = s;
    for (let k = 0; k < nTouched; k++) {
      const j = touched[k];
      const carry = this.decay.carry(j, step);
      rmspropRankOneColumn(w1t, this.rW1t, j * h, h, c[j], w2, gW2, this.lr, carry);
    }
    rmspropStep(b1, this.rB1, gB1, this.lr);
    rmspropStep(w2, this.rW2, gW2, this.lr);
    rmspropStep(b2, this.rB2, this.gB2, this.lr);
    return lossSum;
  }

  /** Summed loss over CSR rows [from, to) without updating anything (kann's validation pass). */
  evaluate(rows: SparseRows, targets: Float32Array, from: number, to: number): number {
    const { hidden: h, nIn, w1t, b1, w2, b2, v } = this;
    const { rowStart, colIndex, values } = rows;
    for (let j = 0; j < nIn; j++) v[j] = columnDot(w1t, j * h, w2, h);
    let c0 = b2[0];
    for (let i = 0; i < h; i++) c0 += w2[i] * b1[i];
    let sum = 0;
    for (let row = from; row < to; row++) {
      let z = c0;
      for (let p = rowStart[row], end = rowStart[row + 1]; p < end; p++) z += v[colIndex[p]] * values[p];
      sum += ceBinNegLoss(kannTanh(z), targets[row]);
    }
    return sum;
  }

  snapshot(into?: ParamSnapshot): ParamSnapshot {
    if (!into) return { w1t: this.w1t.slice(), b1: this.b1.slice(), w2: this.w2.slice(), b2: this.b2.slice() };
    into.w1t.set(this.w1t);
    into.b1.set(this.b1);
    into.w2.set(this.w2);
    into.b2.set(this.b2);
    return into;
  }

  restore(snap: ParamSnapshot): void {
    this.w1t.set(snap.w1t);
    this.b1.set(snap.b1);
    this.w2.set(snap.w2);
    this.b2.set(snap.b2);
  }

  /** Weights in kann's storage layout (W1 row-major h × n). */
  toWeights(): AnnWeights {
    const { nIn, hidden } = this;
    const w1 = new Float32Array(nIn * hidden);
    for (let j = 0; j < nIn; j++) {
      for (let i = 0; i < hidden; i++) w1[i * nIn + j] = this.w1t[j * hidden + i];
    }
    return { nIn, hidden, w1, b1: this.b1.slice(), w2: this.w2.slice(), b2: this.b2.slice() };
  }

  /**
   * Running squares with every pending lazy decay applied (W1 row-major), i.e. what a dense RMSprop would hold
   * after the same steps. For inspection and tests; training never needs it.
   */
  runningSquares(): { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array } {
    const { nIn, hidden } = this;
    const w1 = new Float32Array(nIn * hidden);
    for (let j = 0; j < nIn; j++) {
      const factor = Math.pow(RMSPROP_DECAY, this.step - this.decay.lastStep[j]);
      for (let i = 0; i < hidden; i++) w1[i * nIn + j] = this.rW1t[j * hidden + i] * factor;
    }
    return { w1, b1: this.rB1.slice(), w2: this.rW2.slice(), b2: this.rB2.slice() };
  }
}

/** Column j of W1 (at `base`) dotted with w2; four partial sums break the add latency chain (~20 % faster). */
function columnDot(w1t: Float32Array, base: number, w2: Float32Array, h: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < h; i += 4) {
    s0 += w1t[base + i] * w2[i];
    s1 += w1t[base + i + 1] * w2[i + 1];
    s2 += w1t[base + i + 2] * w2[i + 2];
    s3 += w1t[base + i + 3] * w2[i + 3];
  }
  for (; i < h; i++) s0 += w1t[base + i] * w2[i];
  return s0 + s1 + (s2 + s3);
}
