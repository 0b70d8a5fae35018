/**
 * What a training takes (TrainingInput) and its validation. Everything is checked on the calling thread, before a worker
 * exists, so a bad request costs nothing and fails with a `TrainingInputError` that names the offending row.
 * Accepted rows are flattened into one Float32Array (spam rows first, then ham, spec §9.3) whose buffer is
 * transferred — not copied — to the worker.
 */
import { TrainingInputError } from './errors.js';
import { type FunnelOptions, funnelShape, funnelWeightCount } from './funnel-network.js';
import { hiddenWidth } from './network.js';

export interface TrainingInput {
  spam: number[][];
  ham: number[][];
  maxIterations: number;
  learningRate: number;
  hiddenLayerMult: number;
  /** PCA reduction to this many inputs (spec §12). */
  maxInputs?: number;
  /** kann generator start state; default = rspamd's fixed state (spec §9.6). */
  seed?: [bigint, bigint];
  /** rspamd 4.x's funnel network (neural-4x.md §4.2) instead of the symbol network; `hiddenLayerMult` is then unused. */
  network?: FunnelOptions;
  /** `roc_enabled`: compute rspamd ≥ 4.0's ROC thresholds with this `roc_misclassification_cost`. */
  roc?: { misclassificationCost: number };
}

/** A TrainingInput checked and packed for the training thread: rows in one transferable buffer (structured-clonable). */
export interface PackedTraining {
  rows: Float32Array;
  nCols: number;
  nSpam: number;
  nHam: number;
  maxIterations: number;
  learningRate: number;
  hiddenLayerMult: number;
  maxInputs?: number;
  seed?: [bigint, bigint];
  network?: FunnelOptions;
  roc?: { misclassificationCost: number };
}

/**
 * Beyond this many W1 weights we refuse rather than let one request allocate gigabytes (n = 300 with the
 * default multiplier is 135k; rspamd's largest realistic profiles are a few thousand inputs).
 */
export const MAX_NETWORK_WEIGHTS = 25_000_000;

const MAX_U64 = (1n << 64n) - 1n;

export function packTraining(req: TrainingInput): PackedTraining {
  const { spam, ham } = req;
  if (!Array.isArray(spam) || spam.length === 0) throw new TrainingInputError('need at least one spam row');
  if (!Array.isArray(ham) || ham.length === 0) throw new TrainingInputError('need at least one ham row');
  const nCols = Array.isArray(spam[0]) ? spam[0].length : -1;
  if (nCols < 1) throw new TrainingInputError('spam row 0 is not a non-empty array of numbers');
  checkOptions(req, nCols);

  const rows = new Float32Array((spam.length + ham.length) * nCols);
  let off = 0;
  for (const [label, set] of [['spam', spam], ['ham', ham]] as const) {
    set.forEach((row, r) => {
      if (!Array.isArray(row)) throw new TrainingInputError(`${label} row ${r} is not an array`);
      if (row.length !== nCols) {
        throw new TrainingInputError(`${label} row ${r} has ${row.length} values, expected ${nCols} (the width of spam row 0)`);
      }
      for (let j = 0; j < nCols; j++) {
        const v = row[j];
        const f = Math.fround(v);
        if (typeof v !== 'number' || !Number.isFinite(f)) {
          throw new TrainingInputError(`${label} row ${r} column ${j} is ${String(v)}, not a finite number`);
        }
        rows[off++] = f;
      }
    });
  }
  return {
    rows,
    nCols,
    nSpam: spam.length,
    nHam: ham.length,
    maxIterations: req.maxIterations,
    learningRate: req.learningRate,
    hiddenLayerMult: req.hiddenLayerMult,
    maxInputs: req.maxInputs,
    seed: req.seed,
    network: req.network,
    roc: req.roc,
  };
}

function checkOptions(req: TrainingInput, nCols: number): void {
  if (!Number.isInteger(req.maxIterations) || req.maxIterations < 1) {
    throw new TrainingInputError(`maxIterations must be a positive integer, got ${req.maxIterations}`);
  }
  if (typeof req.learningRate !== 'number' || !Number.isFinite(req.learningRate) || req.learningRate <= 0) {
    throw new TrainingInputError(`learningRate must be a positive number, got ${req.learningRate}`);
  }
  if (typeof req.hiddenLayerMult !== 'number' || !Number.isFinite(req.hiddenLayerMult) || req.hiddenLayerMult < 0) {
    throw new TrainingInputError(`hiddenLayerMult must be a non-negative number, got ${req.hiddenLayerMult}`);
  }
  if (req.maxInputs !== undefined && (!Number.isInteger(req.maxInputs) || req.maxInputs < 1 || req.maxInputs > nCols)) {
    throw new TrainingInputError(`maxInputs must be an integer in 1..${nCols} (the row width), got ${req.maxInputs}`);
  }
  const nIn = req.maxInputs ?? nCols;
  // funnelShape throws a TrainingInputError for bad layer options
  const weights = req.network ? funnelWeightCount(funnelShape(nIn, req.network)) : hiddenWidth(nIn, req.hiddenLayerMult) * nIn;
  if (weights > MAX_NETWORK_WEIGHTS) {
    throw new TrainingInputError(`network would have ${weights} hidden weights, limit is ${MAX_NETWORK_WEIGHTS}`);
  }
  if (req.roc !== undefined) {
    const c = req.roc.misclassificationCost;
    if (typeof c !== 'number' || !(c >= 0 && c <= 1)) throw new TrainingInputError(`roc misclassification cost must be in [0, 1], got ${String(c)}`);
  }
  if (req.seed !== undefined) {
    const s = req.seed;
    const ok = Array.isArray(s) && s.length === 2 && s.every((w) => typeof w === 'bigint' && w >= 0n && w <= MAX_U64);
    if (!ok) throw new TrainingInputError('seed must be two unsigned 64-bit bigints');
    if (s[0] === 0n && s[1] === 0n) throw new TrainingInputError('seed must not be all zero');
  }
}
