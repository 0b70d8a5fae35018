/**
 * kann's `train_fnn1` epoch loop (spec §9.4; unchanged in 4.1.5, KN:1027-1130), for any network: the caller has made
 * the initial shuffle and put the validation rows last; every epoch reshuffles the training rows, walks them in
 * mini-batches with one optimiser step each, then evaluates the validation rows. From the 0-based epoch `patience`
 * on, the best-validation parameters are snapshotted, training stops after `patience` epochs without improvement,
 * and the snapshot is restored at the end.
 */
import { TrainingDivergedError } from './errors.js';
import type { KannRandom } from './rng.js';

export interface EpochReport {
  /** 0-based. */
  epoch: number;
  /** Mean loss over the training rows seen this epoch (kann's batch-size-weighted mean of batch costs). */
  trainCost: number;
  /** Mean loss over the validation rows after the epoch; NaN when there are none (fewer than 10 rows). */
  validationCost: number;
  /** Wall time of the training pass and of the validation pass, in milliseconds. */
  trainMs: number;
  validationMs: number;
}

/** What the loop needs of a network; rows are addressed by their index after the initial shuffle. */
export interface BatchTrainable<S> {
  /** One optimiser step on rows order[start .. start+size); returns their summed loss. */
  trainBatch(order: Int32Array, start: number, size: number): number;
  /** Summed loss of rows [from, to) without training. */
  evaluate(from: number, to: number): number;
  snapshot(into: S | null): S;
  restore(snapshot: S): void;
}

export interface LoopOptions {
  maxIterations: number;
  batchSize: number;
  patience: number;
  onEpoch?: (report: EpochReport) => void;
}

export interface LoopOutcome {
  epochs: EpochReport[];
  stoppedEarly: boolean;
  bestEpoch: number | null;
}

export function runEpochs<S>(
  model: BatchTrainable<S>,
  nTrain: number,
  nVal: number,
  rng: KannRandom,
  options: LoopOptions,
): LoopOutcome {
  const { batchSize, patience } = options;
  const epochs: EpochReport[] = [];
  let snapshot: S | null = null;
  let bestEpoch: number | null = null;
  let minValCost = Number.MAX_VALUE;
  let streak = 0;
  let stoppedEarly = false;

  for (let epoch = 0; epoch < options.maxIterations; epoch++) {
    const t0 = performance.now();
    const order = rng.shuffle(nTrain);
    let trainCost = 0;
    for (let start = 0; start < nTrain; start += batchSize) {
      const size = Math.min(batchSize, nTrain - start);
      // kann_cost returns the batch mean as a float; the epoch cost re-weights it by the batch size
      trainCost += Math.fround(model.trainBatch(order, start, size) / size) * size;
    }
    trainCost /= nTrain;
    const t1 = performance.now();
    const validationCost = nVal > 0 ? validationPass(model, nTrain, nTrain + nVal, batchSize) : Number.NaN;
    const report: EpochReport = {
      epoch,
      trainCost,
      validationCost,
      trainMs: t1 - t0,
      validationMs: performance.now() - t1,
    };
    epochs.push(report);
    options.onEpoch?.(report);
    // rspamd gives up on a NaN cost (spec §9.4 item 6); we check every epoch, not only the logged ones
    if (!Number.isFinite(trainCost)) throw new TrainingDivergedError(`training cost became ${trainCost} at epoch ${epoch}`);

    if (epoch >= patience && nVal > 0) {
      if (validationCost < minValCost) {
        snapshot = model.snapshot(snapshot);
        bestEpoch = epoch;
        streak = 0;
        minValCost = Math.fround(validationCost);
      } else if (++streak >= patience) {
        stoppedEarly = true;
        break;
      }
    }
  }
  if (snapshot) model.restore(snapshot);
  return { epochs, stoppedEarly, bestEpoch };
}

/** Validation cost as kann computes it: float batch means of ≤ batchSize rows, re-weighted, over the validation rows. */
function validationPass<S>(model: BatchTrainable<S>, from: number, to: number, batchSize: number): number {
  let sum = 0;
  for (let start = from; start < to; start += batchSize) {
    const end = Math.min(start + batchSize, to);
    sum += Math.fround(model.evaluate(start, end) / (end - start)) * (end - start);
  }
  return sum / (to - from);
}
