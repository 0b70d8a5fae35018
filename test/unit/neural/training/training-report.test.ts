/** The pure parts of the training report: rspamd 4.1.1's gate, rspamd ≥ 4.0's ROC thresholds, AUC and accuracy. */
import { describe, expect, it } from 'vitest';
import { qualityGate } from '../../../../server/src/neural/training/quality-gate.js';
import { rocThreshold, rocThresholds, serializeRocThresholds } from '../../../../server/src/neural/training/roc-thresholds.js';
import { accuracy, rocAuc, trainingReport } from '../../../../server/src/neural/training/training-report.js';

describe('quality gate (rspamd 4.1.1, neural-4x.md §5)', () => {
  it('passes a model that separates the classes', () => {
    expect(qualityGate([0.9, 0.8, -0.7, -0.95], 2, 2)).toMatchObject({ passed: true, reason: null, predictedSpam: 2, predictedHam: 2 });
  });

  it('rejects a constant output with rspamd\'s text, numbers as Lua prints them', () => {
    const gate = qualityGate(Float32Array.of(0.25, 0.25, 0.25000002, 0.25), 2, 2);
    expect(gate.passed).toBe(false);
    expect(gate.reason).toBe(
      'degenerate model: constant or single-class output on the train set (output range 0.25..0.25000002980232; ' +
        'predicted spam=4 ham=0 of 4 samples); consider lowering train.learning_rate if this repeats',
    );
  });

  it('rejects a single-class prediction when both classes were trained, not when only one was', () => {
    expect(qualityGate([0.9, 0.1, 0.5], 2, 1).passed).toBe(false);
    expect(qualityGate([-0.9, -0.1, 0], 2, 1).passed).toBe(false); // 0 counts as ham
    expect(qualityGate([0.9, 0.1, 0.5], 3, 0).passed).toBe(true);
  });

  it('rejects a NaN output, reporting the range as 0..0 as rspamd does', () => {
    const gate = qualityGate([0.9, Number.NaN, -0.9], 2, 1);
    expect(gate).toMatchObject({ passed: false, outputMin: 0, outputMax: 0 });
    expect(gate.reason).toContain('(output range 0..0;');
  });
});

describe('ROC thresholds (rspamd ≥ 4.0, neural-4x.md §4.5)', () => {
  // sorted: -0.8 h, -0.2 s, 0.1 h, 0.6 s, 0.9 s ; 3 spam, 2 ham, p = 0.6
  const outputs = [0.6, -0.8, 0.1, 0.9, -0.2];
  const targets = [1, -1, -1, 1, 1];

  it('picks the output at the last cut of least cost', () => {
    // equal costs (α = β = 0.5): cost(i) = 0.2·FPR + 0.3·FNR
    //   i=0 (-0.8): FPR 1/2, FNR 0 → 0.1;  i=1 (-0.2): 1/2, 1/3 → 0.2;  i=2 (0.1): 0, 1/3 → 0.1;  i=3: 0, 2/3;  i=4: 0, 1
    expect(rocThreshold(outputs, targets, 0.5, 0.5)).toBe(0.1); // the last of the two minima
    // false positives expensive (α = 0.9): i=0 → 0.18, i=2 → 0.03 → 0.1
    expect(rocThreshold(outputs, targets, 0.9, 0.1)).toBe(0.1);
    // false negatives expensive (β = 0.9): i=0 → 0.02, i=2 → 0.18 → -0.8
    expect(rocThreshold(outputs, targets, 0.1, 0.9)).toBe(-0.8);
    expect(rocThresholds(outputs, targets, 0.9)).toEqual([-0.8, 0.1]);
  });

  it('is stored as libucl writes a Lua array of numbers', () => {
    expect(serializeRocThresholds(null)).toBe('[]');
    expect(serializeRocThresholds([0.123456789, -1])).toBe('[0.123457,-1.0]');
  });
});

describe('held-out metrics', () => {
  it('AUC counts ties half; null without both classes', () => {
    expect(rocAuc([0.1, 0.9, 0.5], [-1, 1, 1])).toBe(1);
    expect(rocAuc([0.5, 0.5], [-1, 1])).toBe(0.5);
    expect(rocAuc([0.9, 0.1, 0.5, 0.2], [1, 1, -1, -1])).toBe(0.5);
    expect(rocAuc([0.9], [1])).toBeNull();
  });

  it('accuracy is the share on the right side of the threshold', () => {
    expect(accuracy([0.3, -0.2, 0.1], [1, -1, -1], 0)).toBeCloseTo(2 / 3);
    expect(accuracy([0.3, -0.2, 0.1], [1, -1, -1], 0.2)).toBe(1);
    expect(accuracy([], [], 0)).toBeNull();
  });

  it('splits the balance by kann\'s held-out rows and uses the ROC spam threshold', () => {
    const report = trainingReport({
      outputs: [0.6, -0.8, 0.1, 0.9, -0.2],
      targets: [1, -1, -1, 1, 1],
      validationRows: [2, 4],
      roc: { misclassificationCost: 0.1 },
    });
    expect(report.balance).toEqual({ spam: 3, ham: 2, trainSpam: 2, trainHam: 1, validationSpam: 1, validationHam: 1 });
    expect(report.rocThresholds).toEqual(rocThresholds([0.6, -0.8, 0.1, 0.9, -0.2], [1, -1, -1, 1, 1], 0.1));
    expect(report.heldOut.threshold).toBe(report.rocThresholds![0]);
    expect(report.heldOut.rows).toBe(2);
    expect(report.heldOut.auc).toBe(0); // held out: ham at 0.1 above spam at -0.2
  });
});
