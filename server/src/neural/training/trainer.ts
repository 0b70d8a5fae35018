/**
 * kann's `train_fnn1` loop as rspamd 3.4 runs it (spec §9.4): one initial shuffle splits off the last
 * floor(0.1·N) rows for validation, every epoch reshuffles the training rows and walks them in mini-batches of 64
 * with an RMSprop step per batch, and from the 0-based epoch 10 on the best-validation weights are snapshotted,
 * training stops after 10 epochs without improvement, and the snapshot is what gets published.
 * Random draws (initial weights, then the shuffles) come from one kann generator (spec §9.5, §9.6), so with the
 * default seed the first training is deterministic and equal to rspamd's first training after a restart.
 */
import { TrainingInputError } from './errors.js';
import { AnnWeights, hiddenWidth, initWeights } from './network.js';
import { KannRandom, RngSeed } from './rng.js';
import { ParamSnapshot, SparseTrainingModel } from './sparse-model.js';
import { buildSparseRows } from './sparse-rows.js';
import { type BatchTrainable, type EpochReport, runEpochs } from './train-loop.js';

export interface TrainingData {
  /** Dense row-major rows (nRows × nCols); rspamd's order is all spam rows, then all ham rows (spec §9.3). */
  rows: Float32Array;
  nRows: number;
  nCols: number;
  /** +1 spam, −1 ham, one per row. */
  targets: ArrayLike<number>;
}

export type { EpochReport } from './train-loop.js';

export interface TrainOptions {
  /** Epochs (`train.max_iterations`, default 25 in rspamd). */
  maxIterations: number;
  /** `train.learning_rate` (0.01 in rspamd). */
  learningRate: number;
  /** `hidden_layer_mult` (1.5 in rspamd). */
  hiddenLayerMult: number;
  /** Generator start state; default = kann's fixed state. Ignored when `rng` is given. */
  seed?: RngSeed;
  /** An existing generator to continue (as a long-lived rspamd controller does across trainings). */
  rng?: KannRandom;
  miniBatch?: number;
  validationFraction?: number;
  patience?: number;
  onEpoch?: (report: EpochReport) => void;
}

export interface TrainingOutcome {
  weights: AnnWeights;
  epochs: EpochReport[];
  /** Set when training stopped before maxIterations because validation cost stopped improving. */
  stoppedEarly: boolean;
  /** Epoch whose weights were restored (spec §9.4 item 5), or null when no snapshot was taken. */
  bestEpoch: number | null;
  /** Validation cost of the returned weights (the snapshot's, else the last epoch's). */
  bestValidationCost: number;
  /** Original row indices used for validation (after kann's initial shuffle). */
  validationRows: Int32Array;
}

export const KANN_MINI_BATCH = 64;
export const KANN_VALIDATION_FRACTION = 0.1;
export const KANN_PATIENCE = 10;

export function trainNetwork(data: TrainingData, options: TrainOptions): TrainingOutcome {
  checkData(data);
  checkOptions(options);
  const { nRows, nCols } = data;
  const rng = options.rng ?? new KannRandom(options.seed);

  const init = initWeights(nCols, hiddenWidth(nCols, options.hiddenLayerMult), rng);
  const perm = rng.shuffle(nRows);
  const rows = buildSparseRows(data.rows, nCols, perm);
  const targets = new Float32Array(nRows);
  for (let k = 0; k < nRows; k++) targets[k] = data.targets[perm[k]];
  const model = new SparseTrainingModel(init, options.learningRate);
  const outcome = trainShuffled<ParamSnapshot>(
    {
      trainBatch: (order, start, size) => model.trainBatch(rows, targets, order, start, size),
      evaluate: (from, to) => model.evaluate(rows, targets, from, to),
      snapshot: (into) => model.snapshot(into ?? undefined),
      restore: (snap) => model.restore(snap),
    },
    perm,
    rng,
    options,
  );
  return { weights: model.toWeights(), ...outcome };
}

/**
 * kann's `train_fnn1` for any network whose rows sit in the order of the initial shuffle `perm`: the validation split,
 * the epoch loop (train-loop.ts) with the options' batch size and patience, and what the training reports besides its
 * weights, which the caller reads from its model afterwards (the loop has restored the best snapshot by then).
 */
export function trainShuffled<S>(
  model: BatchTrainable<S>,
  perm: Int32Array,
  rng: KannRandom,
  options: Pick<TrainOptions, 'maxIterations' | 'miniBatch' | 'validationFraction' | 'patience' | 'onEpoch'>,
): Omit<TrainingOutcome, 'weights'> {
  const nVal = validationCount(perm.length, options.validationFraction);
  const nTrain = perm.length - nVal;
  const { epochs, stoppedEarly, bestEpoch } = runEpochs(model, nTrain, nVal, rng, {
    maxIterations: options.maxIterations,
    batchSize: options.miniBatch ?? KANN_MINI_BATCH,
    patience: options.patience ?? KANN_PATIENCE,
    onEpoch: options.onEpoch,
  });
  const last = epochs[epochs.length - 1];
  return {
    epochs,
    stoppedEarly,
    bestEpoch,
    bestValidationCost: bestEpoch === null ? last.validationCost : epochs[bestEpoch].validationCost,
    validationRows: perm.slice(nTrain),
  };
}

/** kann's split: the validation rows are the last ⌊N·frac⌋ (frac a C float) of the initial shuffle. */
export function validationCount(nRows: number, fraction = KANN_VALIDATION_FRACTION): number {
  return Math.trunc(Math.fround(nRows * Math.fround(fraction)));
}

export function checkData(data: TrainingData): void {
  const { rows, nRows, nCols, targets } = data;
  if (!Number.isInteger(nRows) || nRows < 1) throw new TrainingInputError(`need at least one row, got ${nRows}`);
  if (!Number.isInteger(nCols) || nCols < 1) throw new TrainingInputError(`need at least one column, got ${nCols}`);
  if (rows.length !== nRows * nCols) {
    throw new TrainingInputError(`row buffer holds ${rows.length} values, expected ${nRows} × ${nCols}`);
  }
  if (targets.length !== nRows) throw new TrainingInputError(`${targets.length} targets for ${nRows} rows`);
  for (let r = 0; r < nRows; r++) {
    if (targets[r] !== 1 && targets[r] !== -1) throw new TrainingInputError(`target of row ${r} is ${targets[r]}, not ±1`);
  }
  for (let i = 0; i < rows.length; i++) {
    if (!Number.isFinite(rows[i])) {
      throw new TrainingInputError(`row ${Math.floor(i / nCols)} column ${i % nCols} is ${rows[i]}`);
    }
  }
}

export function checkOptions(o: TrainOptions): void {
  if (!Number.isInteger(o.maxIterations) || o.maxIterations < 1) {
    throw new TrainingInputError(`maxIterations must be a positive integer, got ${o.maxIterations}`);
  }
  if (!Number.isFinite(o.learningRate) || o.learningRate <= 0) {
    throw new TrainingInputError(`learningRate must be > 0, got ${o.learningRate}`);
  }
  if (!Number.isFinite(o.hiddenLayerMult) || o.hiddenLayerMult < 0) {
    throw new TrainingInputError(`hiddenLayerMult must be ≥ 0, got ${o.hiddenLayerMult}`);
  }
  const batch = o.miniBatch ?? KANN_MINI_BATCH;
  if (!Number.isInteger(batch) || batch < 1) throw new TrainingInputError(`miniBatch must be ≥ 1, got ${batch}`);
  const frac = o.validationFraction ?? KANN_VALIDATION_FRACTION;
  if (!(frac >= 0 && frac < 1)) throw new TrainingInputError(`validationFraction must be in [0, 1), got ${frac}`);
  const patience = o.patience ?? KANN_PATIENCE;
  if (!Number.isInteger(patience) || patience < 1) throw new TrainingInputError(`patience must be ≥ 1, got ${patience}`);
}
