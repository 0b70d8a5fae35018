/**
 * Typed errors of the neural trainer. Callers (REST layer, trainer manager) map them by class, so every failure
 * mode that is the caller's fault (bad rows, bad blobs) is distinguishable from a trainer fault.
 */

/** Base class: everything thrown on purpose by `server/src/neural/training` extends it. */
export class NeuralTrainingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Rows handed to the trainer are unusable (empty class, ragged widths, NaN, bad options). */
export class TrainingInputError extends NeuralTrainingError {}

/** The optimisation blew up (NaN cost) — rspamd 3.4 publishes nothing in that case either (spec §9.4 item 6). */
export class TrainingDivergedError extends NeuralTrainingError {}

/** The caller aborted the training (AbortSignal); the worker was terminated. */
export class TrainingAbortedError extends NeuralTrainingError {}

/** The worker thread failed (crashed, exited early, could not be started). */
export class TrainerWorkerError extends NeuralTrainingError {}

/** A kann binary (spec §10.2) could not be parsed or evaluated. */
export class KannFormatError extends NeuralTrainingError {}

/** A zstd frame is not a valid frame, or its content is not what the caller expects. */
export class ZstdFrameError extends NeuralTrainingError {}

/** A stored training vector (spec §5.2) is not `;`-separated finite numbers. */
export class VectorDecodeError extends NeuralTrainingError {}

/** A PCA tensor blob (spec §12) is malformed. */
export class PcaTensorError extends NeuralTrainingError {}
