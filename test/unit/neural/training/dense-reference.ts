/**
 * A deliberately naive, dense implementation of spec §9 (forward through the explicit hidden layer, full
 * gradients for every parameter, RMSprop on every parameter every step). It is the yardstick the sparse trainer
 * is checked against; it shares only the spec-level primitives (RNG, init, tanh, loss), not the training math.
 */
import {
  AnnWeights,
  ceBinNegLoss,
  cloneWeights,
  hiddenWidth,
  initWeights,
  kannTanh,
  outputGradient,
} from '../../../../server/src/neural/training/network.js';
import { KannRandom, RngSeed } from '../../../../server/src/neural/training/rng.js';

const DECAY = Math.fround(0.9);
const ONE_MINUS = Math.fround(1 - DECAY);
const EPS = Math.fround(1e-6);

export class DenseReferenceModel {
  w: AnnWeights;
  r: AnnWeights;
  private lr: number;

  constructor(init: AnnWeights, learningRate: number) {
    this.w = cloneWeights(init);
    this.r = {
      nIn: init.nIn,
      hidden: init.hidden,
      w1: new Float32Array(init.w1.length),
      b1: new Float32Array(init.hidden),
      w2: new Float32Array(init.hidden),
      b2: new Float32Array(1),
    };
    this.lr = Math.fround(learningRate);
  }

  output(x: ArrayLike<number>): { y: number; a: Float64Array; relu: Float64Array } {
    const { nIn, hidden, w1, b1, w2, b2 } = this.w;
    const relu = new Float64Array(nIn);
    for (let j = 0; j < nIn; j++) relu[j] = Math.max(0, x[j]);
    const a = new Float64Array(hidden);
    let z = b2[0];
    for (let i = 0; i < hidden; i++) {
      let s = b1[i];
      for (let j = 0; j < nIn; j++) s += w1[i * nIn + j] * relu[j];
      a[i] = s;
      z += w2[i] * s;
    }
    return { y: kannTanh(z), a, relu };
  }

  /** One mini-batch: rows[k] with targets[k]. Returns the summed loss. */
  trainBatch(rows: ArrayLike<number>[], targets: number[]): number {
    const { nIn, hidden } = this.w;
    const B = rows.length;
    const gW1 = new Float64Array(hidden * nIn);
    const gB1 = new Float64Array(hidden);
    const gW2 = new Float64Array(hidden);
    let gB2 = 0;
    let loss = 0;
    for (let k = 0; k < B; k++) {
      const { y, a, relu } = this.output(rows[k]);
      loss += ceBinNegLoss(y, targets[k]);
      const dz = outputGradient(y, targets[k], B);
      gB2 += dz;
      for (let i = 0; i < hidden; i++) {
        gW2[i] += dz * a[i];
        const dA = dz * this.w.w2[i];
        gB1[i] += dA;
        for (let j = 0; j < nIn; j++) gW1[i * nIn + j] += dA * relu[j];
      }
    }
    this.update(this.w.w1, this.r.w1, gW1);
    this.update(this.w.b1, this.r.b1, gB1);
    this.update(this.w.w2, this.r.w2, gW2);
    this.update(this.w.b2, this.r.b2, [gB2]);
    return loss;
  }

  private update(theta: Float32Array, r: Float32Array, g: ArrayLike<number>): void {
    for (let i = 0; i < theta.length; i++) {
      r[i] = ONE_MINUS * g[i] * g[i] + DECAY * r[i];
      theta[i] = theta[i] - (this.lr * g[i]) / Math.sqrt(r[i] + EPS);
    }
  }
}

export interface ReferenceResult {
  weights: AnnWeights;
  trainCosts: number[];
  validationCosts: number[];
}

/** kann's train_fnn1 loop, written out plainly on top of DenseReferenceModel. */
export function denseReferenceTrain(
  rows: number[][],
  targets: number[],
  opts: { maxIterations: number; learningRate: number; hiddenLayerMult: number; seed?: RngSeed },
): ReferenceResult {
  const rng = new KannRandom(opts.seed);
  const n = rows[0].length;
  const model = new DenseReferenceModel(initWeights(n, hiddenWidth(n, opts.hiddenLayerMult), rng), opts.learningRate);
  const perm = rng.shuffle(rows.length);
  const x = Array.from(perm, (p) => rows[p]);
  const y = Array.from(perm, (p) => targets[p]);
  const nVal = Math.floor(rows.length * 0.1);
  const nTrain = rows.length - nVal;
  const trainCosts: number[] = [];
  const validationCosts: number[] = [];
  let best: AnnWeights | null = null;
  let minVal = Number.MAX_VALUE;
  let streak = 0;
  for (let epoch = 0; epoch < opts.maxIterations; epoch++) {
    const order = rng.shuffle(nTrain);
    let cost = 0;
    for (let start = 0; start < nTrain; start += 64) {
      const idx = Array.from(order.subarray(start, Math.min(start + 64, nTrain)));
      cost += Math.fround(model.trainBatch(idx.map((i) => x[i]), idx.map((i) => y[i])) / idx.length) * idx.length;
    }
    trainCosts.push(cost / nTrain);
    let val = 0;
    for (let start = nTrain; start < rows.length; start += 64) {
      const end = Math.min(start + 64, rows.length);
      let s = 0;
      for (let i = start; i < end; i++) s += ceBinNegLoss(model.output(x[i]).y, y[i]);
      val += Math.fround(s / (end - start)) * (end - start);
    }
    const valCost = nVal > 0 ? val / nVal : Number.NaN;
    validationCosts.push(valCost);
    if (epoch >= 10 && nVal > 0) {
      if (valCost < minVal) {
        best = cloneWeights(model.w);
        minVal = Math.fround(valCost);
        streak = 0;
      } else if (++streak >= 10) break;
    }
  }
  return { weights: best ?? cloneWeights(model.w), trainCosts, validationCosts };
}
