/**
 * One complete training as the worker runs it, kept free of thread plumbing so it can be tested directly:
 * optional PCA (spec §12), the kann training loop (spec §9) of the symbol network or of 4.x's funnel network
 * (neural-4x.md §4.2), serialisation of the results (spec §10, §12), and the training report with 4.1.1's quality
 * gate, computed from the published weights.
 */
import { writeFunnelKann } from './funnel-graph.js';
import { funnelOutputs, trainFunnel } from './funnel-trainer.js';
import { writeKann } from './kann-writer.js';
import { type AnnWeights, kannTanh } from './network.js';
import { pcaMatrix, projectRows } from './pca.js';
import { serializeTensor } from './pca-tensor.js';
import { PackedTraining } from './training-input.js';
import { trainingReport, type TrainingReport } from './training-report.js';
import { EpochReport, trainNetwork, type TrainingData } from './trainer.js';

export interface TrainingOutput {
  /** Raw kann binary (not compressed). */
  kann: Uint8Array;
  /** Raw PCA tensor (not compressed), when maxInputs was given. */
  pca?: Uint8Array;
  nInputs: number;
  /** Units of the hidden layer (symbol network) or of the first hidden layer (funnel). */
  hidden: number;
  /** Which graph was trained, and its hidden layer widths. */
  network: 'symbol' | 'funnel';
  hiddenLayers: number[];
  /** Epochs actually run (fewer than maxIterations after early stopping). */
  epochs: number;
  stoppedEarly: boolean;
  /** Epoch whose snapshot was published, null when the last epoch's weights were. */
  bestEpoch: number | null;
  bestValidationCost: number;
  /** Training cost of the last epoch run. */
  trainCost: number;
  history: EpochReport[];
  report: TrainingReport;
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

  const data: TrainingData = { rows, nRows, nCols: nIn, targets };
  const common = { maxIterations: job.maxIterations, learningRate: job.learningRate, seed: job.seed, onEpoch };
  let kann: Uint8Array;
  let outputs: Float32Array;
  let hiddenLayers: number[];
  let outcome;
  if (job.network) {
    const funnel = trainFunnel(data, job.network, common);
    kann = writeFunnelKann(funnel.weights, funnel.dropoutStates);
    outputs = funnelOutputs(funnel.model, rows, nRows, nIn);
    hiddenLayers = funnel.weights.shape.sizes;
    outcome = funnel;
  } else {
    const symbol = trainNetwork(data, { ...common, hiddenLayerMult: job.hiddenLayerMult });
    kann = writeKann(symbol.weights);
    outputs = symbolOutputs(symbol.weights, rows, nRows, nIn);
    hiddenLayers = [symbol.weights.hidden];
    outcome = symbol;
  }
  const last = outcome.epochs[outcome.epochs.length - 1];
  return {
    kann,
    pca,
    nInputs: nIn,
    hidden: hiddenLayers[0],
    network: job.network ? 'funnel' : 'symbol',
    hiddenLayers,
    epochs: outcome.epochs.length,
    stoppedEarly: outcome.stoppedEarly,
    bestEpoch: outcome.bestEpoch,
    bestValidationCost: outcome.bestValidationCost,
    trainCost: last.trainCost,
    history: outcome.epochs,
    report: trainingReport({ outputs, targets, validationRows: outcome.validationRows, roc: job.roc ?? null }),
    pcaMs,
  };
}

/**
 * The symbol network on every row. Its hidden layer is linear, so z = v·relu(x) + c0 with v = W1ᵀ·w2 and
 * c0 = w2·b1 + b2 (sparse-model.ts): O(h·n + non-zeros) instead of a forward pass per row, which at 2000 × 300
 * would cost a quarter of the training time.
 */
function symbolOutputs(w: AnnWeights, rows: Float32Array, nRows: number, nIn: number): Float32Array {
  const { hidden, w1, b1, w2, b2 } = w;
  const v = new Float64Array(nIn);
  let c0 = b2[0];
  for (let i = 0; i < hidden; i++) {
    c0 += w2[i] * b1[i];
    for (let j = 0; j < nIn; j++) v[j] += w2[i] * w1[i * nIn + j];
  }
  const out = new Float32Array(nRows);
  for (let r = 0; r < nRows; r++) {
    let z = c0;
    for (let j = 0, base = r * nIn; j < nIn; j++) {
      const x = rows[base + j];
      if (x > 0) z += v[j] * x;
    }
    out[r] = kannTanh(z);
  }
  return out;
}
