/**
 * Training of the funnel network with kann's loop (train-loop.ts) and kann's random stream: initial weights and
 * dropout generators as the graph is built (funnel-network.ts `initFunnel`), then the initial shuffle, then one
 * shuffle per epoch — the order rspamd 4.x's `train1` draws them in.
 */
import { FunnelModel } from './funnel-model.js';
import { type FunnelOptions, type FunnelWeights, funnelShape, initFunnel } from './funnel-network.js';
import { KannRandom } from './rng.js';
import { checkData, checkOptions, KANN_MINI_BATCH, type TrainingData, type TrainingOutcome, type TrainOptions, trainShuffled } from './trainer.js';

export interface FunnelOutcome extends Omit<TrainingOutcome, 'weights'> {
  weights: FunnelWeights;
  /** Each dropout node's generator state at the end (what rspamd's save writes into the node), null without dropout. */
  dropoutStates: (Uint8Array | null)[];
  /** The trained network (published weights restored), for inference-mode outputs. */
  model: FunnelModel;
}

export function trainFunnel(data: TrainingData, network: FunnelOptions, options: Omit<TrainOptions, 'hiddenLayerMult'>): FunnelOutcome {
  checkData(data);
  checkOptions({ ...options, hiddenLayerMult: 0 });
  const batchSize = options.miniBatch ?? KANN_MINI_BATCH;
  const { nRows, nCols } = data;
  const rng = options.rng ?? new KannRandom(options.seed);

  const shape = funnelShape(nCols, network);
  const { weights: init, dropoutRngs } = initFunnel(shape, rng);
  const perm = rng.shuffle(nRows);
  const rows = new Float32Array(nRows * nCols);
  const targets = new Float32Array(nRows);
  for (let k = 0; k < nRows; k++) {
    rows.set(data.rows.subarray(perm[k] * nCols, (perm[k] + 1) * nCols), k * nCols);
    targets[k] = data.targets[perm[k]];
  }
  const model = new FunnelModel(init, options.learningRate, dropoutRngs, batchSize);
  const batchRows = new Float32Array(batchSize * nCols);
  const batchTargets = new Float32Array(batchSize);
  const gather = (index: (b: number) => number, size: number): void => {
    for (let b = 0; b < size; b++) {
      const k = index(b);
      batchRows.set(rows.subarray(k * nCols, (k + 1) * nCols), b * nCols);
      batchTargets[b] = targets[k];
    }
  };
  const outcome = trainShuffled<Float32Array[]>(
    {
      trainBatch: (order, start, size) => {
        gather((b) => order[start + b], size);
        return model.trainBatch(batchRows, batchTargets, size);
      },
      evaluate: (from, to) => {
        gather((b) => from + b, to - from);
        return model.evaluate(batchRows, batchTargets, to - from);
      },
      snapshot: () => model.snapshot(),
      restore: (snap) => model.restore(snap),
    },
    perm,
    rng,
    options,
  );
  return { weights: model.weights, dropoutStates: model.dropoutStates(), model, ...outcome };
}

/** Inference-mode outputs of `rows` (nRows × nCols), in batches. */
export function funnelOutputs(model: FunnelModel, rows: Float32Array, nRows: number, nCols: number, batchSize = model.maxBatch): Float32Array {
  const out = new Float32Array(nRows);
  for (let start = 0; start < nRows; start += batchSize) {
    const size = Math.min(batchSize, nRows - start);
    out.set(model.forward(rows.subarray(start * nCols, (start + size) * nCols), size, false).subarray(0, size), start);
  }
  return out;
}
