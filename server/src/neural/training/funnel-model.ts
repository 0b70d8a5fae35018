/**
 * Mini-batch forward, backward and RMSprop of the funnel network (funnel-network.ts), the way kann runs its graph:
 * in training mode the select nodes pick the dropout branch and each dropout node draws its mask from its own
 * generator; in inference mode (validation, scoring) dropout is skipped entirely and its generator untouched
 * (KA `kad_propagate_marks` follows only the selected child). Dense (no sparsity trick): hidden activations are
 * dense, and the inputs' zeros are skipped where that is free.
 */
import {
  dropoutBackward,
  dropoutForward,
  geluBackward,
  geluForward,
  stdnormBackward,
  stdnormForward,
} from './funnel-ops.js';
import { cloneFunnel, funnelParams, type FunnelWeights } from './funnel-network.js';
import { ceBinNegLoss, kannTanh, outputGradient } from './network.js';
import { rmspropStep } from './rmsprop.js';
import type { KannRandom } from './rng.js';

const f = Math.fround;

interface LayerScratch {
  /** dense output (pre-norm) */
  z: Float32Array;
  /** stdnorm output */
  s: Float32Array;
  stdInv: Float32Array;
  /** activation input (z, or the layer-normed z) */
  pre: Float32Array;
  act: Float32Array;
  /** layer output after the select (act, or the dropped-out act) */
  out: Float32Array;
  kept: Uint8Array;
  dropped: Float32Array;
  // gradients of the same shapes
  gOut: Float32Array;
  gAct: Float32Array;
  gPre: Float32Array;
  gS: Float32Array;
  gZ: Float32Array;
}

export class FunnelModel {
  readonly weights: FunnelWeights;
  private readonly params: Float32Array[];
  private readonly grads: Float64Array[];
  private readonly squares: Float32Array[];
  private readonly lr: number;
  readonly maxBatch: number;
  private readonly scratch: LayerScratch[];
  private readonly yOut: Float32Array;

  constructor(
    init: FunnelWeights,
    learningRate: number,
    private readonly dropoutRngs: readonly (KannRandom | null)[],
    maxBatch: number,
  ) {
    this.weights = cloneFunnel(init);
    this.params = funnelParams(this.weights);
    this.grads = this.params.map((p) => new Float64Array(p.length));
    this.squares = this.params.map((p) => new Float32Array(p.length));
    this.lr = f(learningRate);
    this.maxBatch = maxBatch;
    this.scratch = this.weights.shape.sizes.map((units) => {
      const n = units * maxBatch;
      const arr = () => new Float32Array(n);
      return {
        z: arr(), s: arr(), stdInv: new Float32Array(maxBatch), pre: arr(), act: arr(), out: arr(),
        kept: new Uint8Array(n), dropped: arr(), gOut: arr(), gAct: arr(), gPre: arr(), gS: arr(), gZ: arr(),
      };
    });
    this.yOut = new Float32Array(maxBatch);
  }

  /**
   * Forward of rows `x` (m × nIn, row-major) into this.yOut; training mode draws dropout masks. Returns the outputs
   * (a view valid until the next call).
   */
  forward(x: Float32Array, m: number, training: boolean): Float32Array {
    if (m > this.maxBatch) throw new RangeError(`batch of ${m} rows, model was built for ${this.maxBatch}`);
    const { shape, layers, outW, outB } = this.weights;
    let input = x;
    let nPrev = shape.nIn;
    layers.forEach((layer, l) => {
      const units = shape.sizes[l];
      const sc = this.scratch[l];
      const len = m * units;
      denseForward(input, m, nPrev, layer.w, layer.b, units, sc.z);
      if (layer.gamma && layer.beta) {
        stdnormForward(sc.z, m, units, sc.s, sc.stdInv);
        const { gamma, beta } = layer;
        for (let r = 0, k = 0; r < m; r++) {
          for (let i = 0; i < units; i++, k++) sc.pre[k] = f(f(sc.s[k] * gamma[i]) + beta[i]);
        }
      } else {
        sc.pre.set(sc.z.subarray(0, len));
      }
      const pre = sc.pre.subarray(0, len);
      const act = sc.act.subarray(0, len);
      if (shape.activation === 'gelu') geluForward(pre, act);
      else for (let k = 0; k < len; k++) act[k] = pre[k] > 0 ? pre[k] : 0;
      const rng = this.dropoutRngs[l];
      if (training && rng && shape.dropout[l] > 0) {
        dropoutForward(act, shape.dropout[l], rng, sc.dropped.subarray(0, len), sc.kept.subarray(0, len));
        sc.out.set(sc.dropped.subarray(0, len));
      } else {
        sc.out.set(act);
      }
      input = sc.out;
      nPrev = units;
    });
    const z = new Float32Array(m);
    denseForward(input, m, nPrev, outW, outB, 1, z);
    for (let r = 0; r < m; r++) this.yOut[r] = kannTanh(z[r]);
    return this.yOut;
  }

  /** Forward in training mode, backward, one RMSprop step; returns the summed loss of the m rows. */
  trainBatch(x: Float32Array, targets: Float32Array, m: number): number {
    const loss = this.backward(x, targets, m, true);
    for (let p = 0; p < this.params.length; p++) rmspropStep(this.params[p], this.squares[p], this.grads[p], this.lr);
    return loss;
  }

  /**
   * Forward and backward without an update: the batch-mean loss gradient of every parameter lands in `gradients()`
   * (kann's ∂cost/∂θ, in funnelParams order). Returns the summed loss.
   */
  backward(x: Float32Array, targets: Float32Array, m: number, training: boolean): number {
    const y = this.forward(x, m, training);
    const { shape, layers, outW } = this.weights;
    for (const g of this.grads) g.fill(0);
    const L = layers.length;
    const gOutW = this.grads[this.grads.length - 2];
    const gOutB = this.grads[this.grads.length - 1];
    const last = this.scratch[L - 1];
    const nLast = shape.sizes[L - 1];
    last.gOut.fill(0, 0, m * nLast);
    let loss = 0;
    for (let r = 0; r < m; r++) {
      loss += ceBinNegLoss(y[r], targets[r]);
      const dz = outputGradient(y[r], targets[r], m);
      if (dz === 0) continue;
      gOutB[0] += dz;
      const base = r * nLast;
      for (let j = 0; j < nLast; j++) {
        gOutW[j] += dz * last.out[base + j];
        last.gOut[base + j] = f(dz * outW[j]);
      }
    }
    let gi = 2 * L + (shape.layernorm ? 2 * L : 0); // index just past the hidden layers' grads
    for (let l = L - 1; l >= 0; l--) {
      const layer = layers[l];
      const sc = this.scratch[l];
      const units = shape.sizes[l];
      const len = m * units;
      const nPrev = l === 0 ? shape.nIn : shape.sizes[l - 1];
      const input = l === 0 ? x : this.scratch[l - 1].out;
      gi -= layer.gamma ? 4 : 2;
      const [gW, gB, gGamma, gBeta] = [this.grads[gi], this.grads[gi + 1], this.grads[gi + 2], this.grads[gi + 3]];

      const gAct = sc.gAct.subarray(0, len);
      if (training && this.dropoutRngs[l] && shape.dropout[l] > 0) {
        gAct.fill(0);
        dropoutBackward(sc.gOut.subarray(0, len), shape.dropout[l], sc.kept.subarray(0, len), gAct);
      } else {
        gAct.set(sc.gOut.subarray(0, len));
      }
      const gPre = sc.gPre.subarray(0, len);
      gPre.fill(0);
      if (shape.activation === 'gelu') geluBackward(sc.pre.subarray(0, len), gAct, gPre);
      else for (let k = 0; k < len; k++) if (sc.pre[k] > 0) gPre[k] = gAct[k];

      const gZ = sc.gZ.subarray(0, len);
      if (layer.gamma && layer.beta) {
        const gS = sc.gS.subarray(0, len);
        const gamma = layer.gamma;
        for (let r = 0, k = 0; r < m; r++) {
          for (let i = 0; i < units; i++, k++) {
            gGamma[i] += gPre[k] * sc.s[k];
            gBeta[i] += gPre[k];
            gS[k] = f(gPre[k] * gamma[i]);
          }
        }
        gZ.fill(0);
        stdnormBackward(sc.s, gS, m, units, sc.stdInv, gZ);
      } else {
        gZ.set(gPre);
      }
      const gInput = l > 0 ? this.scratch[l - 1].gOut : null;
      if (gInput) gInput.fill(0, 0, m * nPrev);
      denseBackward(input, m, nPrev, layer.w, units, gZ, gW, gB, gInput);
    }
    return loss;
  }

  /** Gradients of the last `backward`, one array per parameter (funnelParams order). */
  gradients(): readonly Float64Array[] {
    return this.grads;
  }

  /** Summed loss of m rows in inference mode (kann's validation pass). */
  evaluate(x: Float32Array, targets: Float32Array, m: number): number {
    const y = this.forward(x, m, false);
    let sum = 0;
    for (let r = 0; r < m; r++) sum += ceBinNegLoss(y[r], targets[r]);
    return sum;
  }

  snapshot(): Float32Array[] {
    return this.params.map((p) => p.slice());
  }

  restore(snap: readonly Float32Array[]): void {
    snap.forEach((s, i) => this.params[i].set(s));
  }

  /** The dropout generators' current states (what kann saves in the dropout nodes). */
  dropoutStates(): (Uint8Array | null)[] {
    return this.dropoutRngs.map((r) => r?.stateBytes() ?? null);
  }
}

/**
 * out[r, i] = Σ_j x[r, j]·W[i, j] + b[i]. Rows with many zeros (symbol rows are ~90 % zeros) are walked over their
 * non-zero columns; dense rows (hidden activations) as contiguous dot products with four partial sums.
 */
function denseForward(
  x: Float32Array,
  m: number,
  nIn: number,
  w: Float32Array,
  b: Float32Array,
  units: number,
  out: Float32Array,
): void {
  const nz = new Int32Array(nIn);
  const vals = new Float64Array(nIn);
  for (let r = 0; r < m; r++) {
    const xb = r * nIn;
    let count = 0;
    for (let j = 0; j < nIn; j++) {
      const v = x[xb + j];
      if (v !== 0) {
        nz[count] = j;
        vals[count++] = v;
      }
    }
    const ob = r * units;
    if (count * 2 < nIn) {
      for (let i = 0; i < units; i++) {
        const wb = i * nIn;
        let s = 0;
        for (let c = 0; c < count; c++) s += vals[c] * w[wb + nz[c]];
        out[ob + i] = f(f(s) + b[i]);
      }
    } else {
      for (let i = 0; i < units; i++) {
        const wb = i * nIn;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let j = 0;
        for (; j + 3 < nIn; j += 4) {
          s0 += x[xb + j] * w[wb + j];
          s1 += x[xb + j + 1] * w[wb + j + 1];
          s2 += x[xb + j + 2] * w[wb + j + 2];
          s3 += x[xb + j + 3] * w[wb + j + 3];
        }
        for (; j < nIn; j++) s0 += x[xb + j] * w[wb + j];
        out[ob + i] = f(f(s0 + s1 + (s2 + s3)) + b[i]);
      }
    }
  }
}

/**
 * gW += gZᵀ·x, gB += Σ gZ, gX = gZ·W (when asked). The weight gradient only needs x's non-zero columns, listed once
 * per row: symbol rows are ~90 % zeros, and the test per weight cost 40 % of a funnel training.
 */
function denseBackward(
  x: Float32Array,
  m: number,
  nIn: number,
  w: Float32Array,
  units: number,
  gZ: Float32Array,
  gW: Float64Array,
  gB: Float64Array,
  gX: Float32Array | null,
): void {
  const nz = new Int32Array(nIn);
  // the input gradient of a row is summed in double and rounded once (the caller passes a zeroed gX)
  const acc = gX ? new Float64Array(nIn) : null;
  for (let r = 0; r < m; r++) {
    const xb = r * nIn;
    const zb = r * units;
    let count = 0;
    for (let j = 0; j < nIn; j++) if (x[xb + j] !== 0) nz[count++] = j;
    const sparse = count * 2 < nIn;
    for (let i = 0; i < units; i++) {
      const g = gZ[zb + i];
      if (g === 0) continue;
      gB[i] += g;
      const wb = i * nIn;
      if (sparse) {
        for (let c = 0; c < count; c++) {
          const j = nz[c];
          gW[wb + j] += g * x[xb + j];
        }
        if (acc) for (let j = 0; j < nIn; j++) acc[j] += g * w[wb + j];
      } else if (acc) {
        for (let j = 0; j < nIn; j++) {
          gW[wb + j] += g * x[xb + j];
          acc[j] += g * w[wb + j];
        }
      } else {
        for (let j = 0; j < nIn; j++) gW[wb + j] += g * x[xb + j];
      }
    }
    if (gX && acc) {
      for (let j = 0; j < nIn; j++) {
        gX[xb + j] = f(acc[j]);
        acc[j] = 0;
      }
    }
  }
}
