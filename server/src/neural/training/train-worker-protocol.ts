/** Messages between trainer-client.ts (main thread) and train-worker.ts. Structured-clonable only. */
import { TrainingOutput } from './run-training.js';
import { PackedTraining } from './training-input.js';
import { EpochReport } from './trainer.js';

/** `workerData` of the training worker. */
export interface WorkerInput {
  job: PackedTraining;
  /** Nice value for the worker thread (thread-priority.ts); 0 keeps the default priority. */
  threadNice: number;
}

export interface WorkerCpuUsage {
  /** CPU used by the worker thread during the job (Linux /proc/thread-self), null elsewhere. */
  threadMs: number | null;
  /** CPU used by the whole process during the job (includes the main thread and GC helpers). */
  processMs: number;
  /** Whether the worker thread's priority was lowered as requested. */
  niceApplied: boolean;
}

export interface WorkerDone extends TrainingOutput {
  /** Wall time of PCA + training + serialisation inside the worker. */
  durationMs: number;
  cpu: WorkerCpuUsage;
}

export type WorkerMessage =
  | { type: 'progress'; progress: EpochReport }
  | { type: 'done'; result: WorkerDone }
  | { type: 'error'; name: string; message: string };
