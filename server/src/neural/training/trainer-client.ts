/**
 * Main-thread API of the trainer: validates a request, runs it in a fresh worker thread (train-worker.ts) and
 * resolves with rspamd-ready blobs. The worker never shares the event loop; every failure mode — bad input,
 * divergence, a crashing or vanishing worker, abort — settles the promise exactly once and never throws
 * asynchronously into the process.
 */
import { Worker } from 'node:worker_threads';
import {
  NeuralTrainingError,
  TrainerWorkerError,
  TrainingAbortedError,
  TrainingDivergedError,
  TrainingInputError,
} from './errors.js';
import { workerScriptUrl } from '../../common/worker-script.js';
import { packTraining, TrainingInput } from './training-input.js';
import { EpochReport } from './trainer.js';
import { WorkerDone, WorkerInput, WorkerMessage } from './train-worker-protocol.js';

export type { TrainingInput } from './training-input.js';

/** Per-epoch report: costs (spec §9.4 item 3) and how long the training and validation passes took. */
export type TrainProgress = EpochReport;

/** The worker's answer with the blobs as Buffers. */
export interface TrainResult extends Omit<WorkerDone, 'kann' | 'pca'> {
  /** Raw kann binary, NOT compressed (packAnn() makes the `ann` field). */
  kann: Buffer;
  /** Raw PCA tensor bytes, NOT compressed (packPca() makes the `pca` field). */
  pca?: Buffer;
}

export interface TrainInWorkerOptions {
  /** Override the worker entry (default: train-worker.js next to this module). */
  workerUrl?: URL;
  /**
   * Nice value of the worker thread (Linux; default 10) so that the event loop, which serves UDP traffic, wins
   * the CPU when both want it. 0 keeps normal priority.
   */
  threadNice?: number;
}

export const DEFAULT_TRAINER_NICE = 10;

const KNOWN_ERRORS: Record<string, new (message: string) => NeuralTrainingError> = {
  TrainingInputError,
  TrainingDivergedError,
};

export async function trainInWorker(
  req: TrainingInput,
  onProgress?: (p: TrainProgress) => void,
  signal?: AbortSignal,
  options: TrainInWorkerOptions = {},
): Promise<TrainResult> {
  if (signal?.aborted) throw new TrainingAbortedError('training aborted before it started');
  const job = packTraining(req);

  return new Promise<TrainResult>((resolve, reject) => {
    let worker: Worker;
    try {
      const url = options.workerUrl ?? workerScriptUrl(import.meta.url, 'train-worker');
      const input: WorkerInput = { job, threadNice: options.threadNice ?? DEFAULT_TRAINER_NICE };
      worker = new Worker(url, { workerData: input, transferList: [job.rows.buffer as ArrayBuffer] });
    } catch (err) {
      reject(new TrainerWorkerError(`cannot start the training worker: ${(err as Error).message}`, { cause: err }));
      return;
    }
    let settled = false;
    const settle = (outcome: () => void, stop: boolean) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (stop) worker.terminate().catch(() => undefined);
      outcome();
    };
    const onAbort = () => settle(() => reject(new TrainingAbortedError('training aborted')), true);
    signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'progress') {
        if (settled || !onProgress) return;
        try {
          onProgress(msg.progress);
        } catch (err) {
          // a broken progress listener must not leave an orphan training running
          settle(() => reject(err), true);
        }
      } else if (msg.type === 'done') {
        settle(() => resolve(toResult(msg.result)), false);
      } else {
        const Known = KNOWN_ERRORS[msg.name];
        const err = Known ? new Known(msg.message) : new TrainerWorkerError(`training failed: ${msg.name}: ${msg.message}`);
        settle(() => reject(err), false);
      }
    });
    worker.on('error', (err) => {
      settle(() => reject(new TrainerWorkerError(`training worker crashed: ${err.message}`, { cause: err })), true);
    });
    worker.on('messageerror', (err) => {
      settle(() => reject(new TrainerWorkerError(`unreadable message from the training worker: ${err.message}`, { cause: err })), true);
    });
    worker.on('exit', (code) => {
      settle(() => reject(new TrainerWorkerError(`training worker exited (code ${code}) without a result`)), false);
    });
  });
}

function toResult(r: WorkerDone): TrainResult {
  const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  return { ...r, kann: asBuffer(r.kann), pca: r.pca ? asBuffer(r.pca) : undefined };
}
