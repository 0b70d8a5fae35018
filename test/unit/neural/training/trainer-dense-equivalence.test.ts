import { describe, expect, it } from 'vitest';
import { hiddenWidth, initWeights } from '../../../../server/src/neural/training/network.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';
import { SparseTrainingModel } from '../../../../server/src/neural/training/sparse-model.js';
import { buildSparseRows } from '../../../../server/src/neural/training/sparse-rows.js';
import { trainNetwork } from '../../../../server/src/neural/training/trainer.js';
import { denseReferenceTrain, DenseReferenceModel } from './dense-reference.js';

/**
 * Rows where many columns are absent from many batches (so lazy decay really skips steps), a few columns never
 * fire, and some values are negative (so the input ReLU matters).
 */
function sparseData(nRows: number, nCols: number, seed: bigint) {
  const rng = new KannRandom([seed, 99n]);
  const rows: number[][] = [];
  const targets: number[] = [];
  for (let r = 0; r < nRows; r++) {
    const row = new Array<number>(nCols).fill(0);
    for (let j = 0; j < nCols - 3; j++) {
      const p = j < 10 ? 0.15 : 0.02; // columns ≥ 10 are rare; the last 3 never fire
      if (rng.uniform() < p) row[j] = rng.uniform() < 0.2 ? -rng.uniform() : 0.1 + 0.9 * rng.uniform();
    }
    rows.push(row);
    targets.push(row[0] + row[1] + row[12] - row[2] - row[3] - row[15] > 0 ? 1 : -1);
  }
  return { rows, targets };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('sparse trainer equals a dense reference implementation', () => {
  it('model level: same batches ⇒ same weights and running squares (lazy decay included)', () => {
    const nCols = 40;
    const { rows, targets } = sparseData(200, nCols, 1n);
    const init = initWeights(nCols, hiddenWidth(nCols, 1.5), new KannRandom());
    const dense = new DenseReferenceModel(init, 0.05);
    const sparse = new SparseTrainingModel(init, 0.05);
    const flat = new Float32Array(rows.length * nCols);
    rows.forEach((row, r) => flat.set(row, r * nCols));
    const csr = buildSparseRows(flat, nCols, Int32Array.from(rows.keys()));
    const t = Float32Array.from(targets);
    const order = new KannRandom([5n, 6n]);
    let skippedColumnSteps = 0;
    for (let step = 0; step < 60; step++) {
      const batch = order.shuffle(rows.length).subarray(0, 16);
      const used = new Set<number>();
      for (const r of batch) rows[r].forEach((v, j) => v > 0 && used.add(j));
      skippedColumnSteps += nCols - used.size;
      const denseLoss = dense.trainBatch(Array.from(batch, (r) => rows[r]), Array.from(batch, (r) => targets[r]));
      const sparseLoss = sparse.trainBatch(csr, t, batch, 0, batch.length);
      expect(sparseLoss).toBeCloseTo(denseLoss, 5);
    }
    expect(skippedColumnSteps).toBeGreaterThan(60 * 10); // the lazy path was exercised a lot
    const w = sparse.toWeights();
    expect(maxAbsDiff(w.w1, dense.w.w1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(w.b1, dense.w.b1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(w.w2, dense.w.w2)).toBeLessThan(1e-5);
    expect(maxAbsDiff(w.b2, dense.w.b2)).toBeLessThan(1e-5);
    const r = sparse.runningSquares();
    expect(maxAbsDiff(r.w1, dense.r.w1)).toBeLessThan(1e-7);
    expect(maxAbsDiff(r.w2, dense.r.w2)).toBeLessThan(1e-7);
    // the never-firing columns kept their initial weights
    for (let i = 0; i < w.hidden; i++) expect(w.w1[i * nCols + nCols - 1]).toBe(init.w1[i * nCols + nCols - 1]);
  });

  it('full training loop: same seed ⇒ same epoch costs and final weights', () => {
    const nCols = 50;
    const { rows, targets } = sparseData(300, nCols, 2n);
    const flat = new Float32Array(rows.length * nCols);
    rows.forEach((row, r) => flat.set(row, r * nCols));
    const opts = { maxIterations: 4, learningRate: 0.01, hiddenLayerMult: 1.5, seed: [3n, 4n] as [bigint, bigint] };
    const ref = denseReferenceTrain(rows, targets, opts);
    const got = trainNetwork({ rows: flat, nRows: rows.length, nCols, targets }, opts);
    expect(got.epochs.map((e) => e.trainCost)).toHaveLength(4);
    got.epochs.forEach((e, i) => {
      expect(e.trainCost).toBeCloseTo(ref.trainCosts[i], 6);
      expect(e.validationCost).toBeCloseTo(ref.validationCosts[i], 6);
    });
    expect(maxAbsDiff(got.weights.w1, ref.weights.w1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.weights.b1, ref.weights.b1)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.weights.w2, ref.weights.w2)).toBeLessThan(1e-5);
    expect(maxAbsDiff(got.weights.b2, ref.weights.b2)).toBeLessThan(1e-5);
    // and training actually moved the weights
    const init = initWeights(nCols, hiddenWidth(nCols, 1.5), new KannRandom(opts.seed));
    expect(maxAbsDiff(got.weights.w1, init.w1)).toBeGreaterThan(1e-3);
  });

  it('early stopping and snapshot restore agree with the reference over a long run', () => {
    const nCols = 30;
    const { rows, targets } = sparseData(120, nCols, 7n);
    // noisy labels so validation cost turns around and the snapshot matters
    const noisy = targets.map((t, i) => (i % 3 === 0 ? -t : t));
    const flat = new Float32Array(rows.length * nCols);
    rows.forEach((row, r) => flat.set(row, r * nCols));
    const opts = { maxIterations: 40, learningRate: 0.05, hiddenLayerMult: 1.5, seed: [8n, 9n] as [bigint, bigint] };
    const ref = denseReferenceTrain(rows, noisy, opts);
    const got = trainNetwork({ rows: flat, nRows: rows.length, nCols, targets: noisy }, opts);
    expect(got.epochs.length).toBe(ref.trainCosts.length);
    expect(maxAbsDiff(got.weights.w1, ref.weights.w1)).toBeLessThan(1e-4);
    expect(maxAbsDiff(got.weights.w2, ref.weights.w2)).toBeLessThan(1e-4);
  });
});
