import { describe, expect, it } from 'vitest';
import { TrainingInputError } from '../../../../server/src/neural/training/errors.js';
import { ceBinNegLoss, forward, hiddenWidth, initWeights, meanCost } from '../../../../server/src/neural/training/network.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';
import { trainNetwork } from '../../../../server/src/neural/training/trainer.js';
import { syntheticRows, toTrainingData } from './synthetic-rows.js';

const defaults = { maxIterations: 25, learningRate: 0.01, hiddenLayerMult: 1.5 };

describe('trainer on separable data (spec §9.4)', () => {
  const all = syntheticRows({ nRows: 1200, nCols: 60, seed: 11n });
  const held = { spam: all.spam.slice(-60), ham: all.ham.slice(-60) };
  const train = { spam: all.spam.slice(0, -60), ham: all.ham.slice(0, -60) };
  const data = toTrainingData(train);
  const out = trainNetwork(data, defaults);

  it('lowers the validation cost and reports both costs every epoch', () => {
    expect(out.epochs.length).toBeGreaterThan(10);
    for (const e of out.epochs) {
      expect(Number.isFinite(e.trainCost)).toBe(true);
      expect(Number.isFinite(e.validationCost)).toBe(true);
      expect(e.trainMs).toBeGreaterThanOrEqual(0);
    }
    // cost of the untrained network (same seed ⇒ the very weights training started from)
    const init = initWeights(data.nCols, hiddenWidth(data.nCols, 1.5), new KannRandom());
    const initialCost = meanCost(init, Array.from(out.validationRows, (r) => data.all[r]), Array.from(out.validationRows, (r) => data.targets[r]));
    expect(initialCost).toBeGreaterThan(0.5);
    expect(out.epochs[0].validationCost).toBeLessThan(initialCost);
    expect(out.bestValidationCost).toBeLessThan(initialCost / 5);
    expect(out.bestValidationCost).toBeLessThan(out.epochs[0].validationCost);
    expect(out.epochs[out.epochs.length - 1].trainCost).toBeLessThan(out.epochs[0].trainCost);
  });

  it('validation rows are floor(0.1·N) rows of the input', () => {
    expect(out.validationRows.length).toBe(Math.floor(data.nRows * 0.1));
    expect(new Set(out.validationRows).size).toBe(out.validationRows.length);
    for (const r of out.validationRows) expect(r).toBeLessThan(data.nRows);
  });

  it('classifies held-out spam and ham rows correctly', () => {
    expect(forward(out.weights, held.spam[0])).toBeGreaterThan(0);
    expect(forward(out.weights, held.ham[0])).toBeLessThan(0);
    let correct = 0;
    for (const row of held.spam) if (forward(out.weights, row) > 0) correct++;
    for (const row of held.ham) if (forward(out.weights, row) < 0) correct++;
    expect(correct / 120).toBeGreaterThan(0.93);
  });

  it('is deterministic for a seed and depends on it', () => {
    const again = trainNetwork(data, { ...defaults, maxIterations: 3 });
    const same = trainNetwork(data, { ...defaults, maxIterations: 3 });
    const other = trainNetwork(data, { ...defaults, maxIterations: 3, seed: [1n, 2n] });
    expect(Buffer.from(same.weights.w1.buffer).equals(Buffer.from(again.weights.w1.buffer))).toBe(true);
    expect(Buffer.from(other.weights.w1.buffer).equals(Buffer.from(again.weights.w1.buffer))).toBe(false);
  });
});

describe('early stopping (spec §9.4 items 4–5)', () => {
  // labels that disagree with the features on a third of the rows: the network overfits and validation turns up
  const s = syntheticRows({ nRows: 300, nCols: 40, seed: 5n });
  const base = toTrainingData(s);
  const targets = base.targets.map((t, i) => (i % 3 === 0 ? -t : t));
  const data = { ...base, targets };
  const validationCostOf = (w: Parameters<typeof forward>[0], rows: Int32Array) =>
    Array.from(rows).reduce((a, r) => a + ceBinNegLoss(forward(w, base.all[r]), targets[r]), 0) / rows.length;

  it('restores the best-validation snapshot from epoch ≥ 10 and stops after 10 epochs without improvement', () => {
    const out = trainNetwork(data, { maxIterations: 200, learningRate: 0.05, hiddenLayerMult: 1.5, seed: [21n, 22n] });
    expect(out.stoppedEarly).toBe(true);
    expect(out.bestEpoch).not.toBeNull();
    const best = out.bestEpoch!;
    expect(best).toBeGreaterThanOrEqual(10);
    const eligible = out.epochs.slice(10).map((e) => e.validationCost);
    expect(out.bestValidationCost).toBe(Math.min(...eligible));
    expect(out.epochs.length).toBe(best + 11);
    const last = out.epochs[out.epochs.length - 1].validationCost;
    expect(last).toBeGreaterThan(out.bestValidationCost);
    // the returned weights are the snapshot's, not the last epoch's
    const actual = validationCostOf(out.weights, out.validationRows);
    expect(actual).toBeCloseTo(out.bestValidationCost, 5);
    expect(Math.abs(actual - last)).toBeGreaterThan(1e-4);
  });

  it('without a snapshot (≤ 10 epochs) returns the last epoch’s weights', () => {
    const out = trainNetwork(data, { maxIterations: 8, learningRate: 0.05, hiddenLayerMult: 1.5 });
    expect(out.bestEpoch).toBeNull();
    expect(out.stoppedEarly).toBe(false);
    expect(out.epochs).toHaveLength(8);
    expect(validationCostOf(out.weights, out.validationRows)).toBeCloseTo(out.epochs[7].validationCost, 5);
    expect(out.bestValidationCost).toBe(out.epochs[7].validationCost);
  });

  it('with fewer than 10 rows there is no validation set and no early stopping', () => {
    const tiny = toTrainingData({ spam: s.spam.slice(0, 4), ham: s.ham.slice(0, 4) });
    const out = trainNetwork(tiny, { ...defaults, maxIterations: 15 });
    expect(out.validationRows).toHaveLength(0);
    expect(out.epochs).toHaveLength(15);
    expect(Number.isNaN(out.epochs[0].validationCost)).toBe(true);
    expect(out.bestEpoch).toBeNull();
  });
});

describe('trainer input checks', () => {
  const ok = toTrainingData(syntheticRows({ nRows: 20, nCols: 5 }));
  it.each([
    ['NaN value', { ...ok, rows: Float32Array.from(ok.rows, (v, i) => (i === 7 ? Number.NaN : v)) }, /row 1 column 2/],
    ['bad target', { ...ok, targets: ok.targets.map((t, i) => (i === 3 ? 0 : t)) }, /target of row 3/],
    ['short buffer', { ...ok, rows: ok.rows.subarray(1) }, /row buffer/],
  ])('rejects %s', (_name, data, msg) => {
    expect(() => trainNetwork(data, defaults)).toThrow(TrainingInputError);
    expect(() => trainNetwork(data, defaults)).toThrow(msg);
  });
  it('rejects bad options', () => {
    expect(() => trainNetwork(ok, { ...defaults, maxIterations: 0 })).toThrow(/maxIterations/);
    expect(() => trainNetwork(ok, { ...defaults, learningRate: -1 })).toThrow(/learningRate/);
  });
});
