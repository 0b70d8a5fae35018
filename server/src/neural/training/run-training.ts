/**
 * One complete training as the worker runs it, kept free of thread plumbing so it can be tested directly:
 * optional PCA (spec §12), the kann training loop (spec §9), and serialisation of the results (spec §10, §12).
 */
import { writeKann } from './kann-writer.js';
import { pcaMatrix, projectRows } from './pca.js';
import { serializeTensor } from './pca-tensor.js';
import { PackedTraining } from './training-input.js';
import { EpochReport, trainNetwork } from './trainer.js';

export interface TrainingOutput {
  /** Raw kann binary (not compressed). */
  kann: Uint8Array;
  /** Raw PCA tensor (not compressed), when maxInputs was given. */
  pca?: Uint8Array;
  nInputs: number;
  hidden: number;
  /** Epochs actually run (fewer than maxIterations after early stopping). */
  epochs: number;
  stoppedEarly: boolean;
  /** Epoch whose snapshot was published, null when the last epoch's weights were. */
  bestEpoch: number | null;
  bestValidationCost: number;
  /** Training cost of the last epoch run. */
  trainCost: number;
  history: EpochReport[];
  pcaMs: number;
}

export function runPackedTraining(job: PackedTraining, onEpoch?: (report: EpochReport) => void): TrainingOutput {
  const nRows = job.nSpam + job.nHam;
  const targets = new Float32Array(nRows);
  targets.fill(1, 0, job.nSpam);
  targets.fill(-1, job.nSpam);

  let rows = job.rows;
  let nIn = job.nCols;
  let pca: Uint8Array | undefined;
  const t0 = performance.now();
  if (job.maxInputs !== undefined) {
    const p = pcaMatrix(job.rows, nRows, job.nCols, job.maxInputs);
    rows = projectRows(job.rows, nRows, job.nCols, p, job.maxInputs);
    nIn = job.maxInputs;
    pca = serializeTensor({ rows: job.maxInputs, cols: job.nCols, data: p });
  }
  const pcaMs = performance.now() - t0;

  const outcome = trainNetwork(
    { rows, nRows, nCols: nIn, targets },
    {
      maxIterations: job.maxIterations,
      learningRate: job.learningRate,
      hiddenLayerMult: job.hiddenLayerMult,
      seed: job.seed,
      onEpoch,
    },
  );
  const last = outcome.epochs[outcome.epochs.length - 1];
  return {
    kann: writeKann(outcome.weights),
    pca,
    nInputs: nIn,
    hidden: outcome.weights.hidden,
    epochs: outcome.epochs.length,
    stoppedEarly: outcome.stoppedEarly,
    bestEpoch: outcome.bestEpoch,
    bestValidationCost: outcome.bestValidationCost,
    trainCost: last.trainCost,
    history: outcome.epochs,
    pcaMs,
  };
}
