/**
 * What a finished training says about its model beyond the loss curve: class balance of the training and held-out
 * rows (kann's validation split), and on the held-out rows the accuracy at the threshold rspamd would apply (the ROC
 * spam threshold with `roc_enabled`, else 0) and the ROC AUC. Pure; computed in the worker from the outputs of the
 * published weights.
 */
import { type GateResult, qualityGate } from './quality-gate.js';
import { rocThresholds } from './roc-thresholds.js';

export interface ClassBalance {
  spam: number;
  ham: number;
  trainSpam: number;
  trainHam: number;
  validationSpam: number;
  validationHam: number;
}

export interface HeldOutMetrics {
  rows: number;
  /** Share of held-out rows on the right side of `threshold` (output > threshold = spam); null without rows. */
  accuracy: number | null;
  /** Probability that a held-out spam row scores above a held-out ham row (ties count half); null unless both classes are held out. */
  auc: number | null;
  threshold: number;
}

export interface TrainingReport {
  balance: ClassBalance;
  heldOut: HeldOutMetrics;
  /** `[spam, ham]` computed on all training rows as rspamd ≥ 4.0 does, when the rule has `roc_enabled`; else null. */
  rocThresholds: [number, number] | null;
  /** rspamd 4.1.1's gate on all training rows (whether it is enforced is the caller's setting). */
  gate: GateResult;
}

export interface ReportInput {
  /** Network output per row, in the caller's row order. */
  outputs: ArrayLike<number>;
  /** +1 / −1 per row. */
  targets: ArrayLike<number>;
  /** Row indices of the held-out (validation) rows. */
  validationRows: ArrayLike<number>;
  roc: { misclassificationCost: number } | null;
}

export function trainingReport({ outputs, targets, validationRows, roc }: ReportInput): TrainingReport {
  const isHeldOut = new Uint8Array(outputs.length);
  for (let k = 0; k < validationRows.length; k++) isHeldOut[validationRows[k]] = 1;
  const balance: ClassBalance = { spam: 0, ham: 0, trainSpam: 0, trainHam: 0, validationSpam: 0, validationHam: 0 };
  const heldOutOutputs: number[] = [];
  const heldOutTargets: number[] = [];
  for (let i = 0; i < outputs.length; i++) {
    const spam = targets[i] > 0;
    if (spam) balance.spam++;
    else balance.ham++;
    if (isHeldOut[i]) {
      if (spam) balance.validationSpam++;
      else balance.validationHam++;
      heldOutOutputs.push(outputs[i]);
      heldOutTargets.push(targets[i]);
    } else if (spam) balance.trainSpam++;
    else balance.trainHam++;
  }
  const thresholds = roc ? rocThresholds(outputs, targets, roc.misclassificationCost) : null;
  const threshold = thresholds ? thresholds[0] : 0;
  return {
    balance,
    heldOut: {
      rows: heldOutOutputs.length,
      accuracy: accuracy(heldOutOutputs, heldOutTargets, threshold),
      auc: rocAuc(heldOutOutputs, heldOutTargets),
      threshold,
    },
    rocThresholds: thresholds,
    gate: qualityGate(outputs, balance.spam, balance.ham),
  };
}

export function accuracy(outputs: readonly number[], targets: readonly number[], threshold: number): number | null {
  if (outputs.length === 0) return null;
  let right = 0;
  for (let i = 0; i < outputs.length; i++) if (outputs[i] > threshold === targets[i] > 0) right++;
  return right / outputs.length;
}

/** Mann–Whitney form of the ROC AUC: rank the outputs (ties get their mean rank). */
export function rocAuc(outputs: readonly number[], targets: readonly number[]): number | null {
  const order = outputs.map((_, i) => i).sort((a, b) => outputs[a] - outputs[b]);
  let nSpam = 0;
  let spamRankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && outputs[order[j + 1]] === outputs[order[i]]) j++;
    const meanRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (targets[order[k]] > 0) {
        nSpam++;
        spamRankSum += meanRank;
      }
    }
    i = j + 1;
  }
  const nHam = order.length - nSpam;
  if (nSpam === 0 || nHam === 0) return null;
  return (spamRankSum - (nSpam * (nSpam + 1)) / 2) / (nSpam * nHam);
}
