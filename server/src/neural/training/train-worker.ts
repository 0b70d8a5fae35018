/**
 * Worker-thread entry (started by trainer-client.ts): runs one PackedTraining from `workerData`, posts a progress
 * message per epoch and then exactly one `done` or `error` message. Training is synchronous CPU work, which is
 * why it lives on its own thread: the server's event loop keeps serving while a network trains.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { processCpuMs, threadCpuMs } from './thread-cpu.js';
import { lowerThreadPriority } from '../../common/thread-priority.js';
import { runPackedTraining } from './run-training.js';
import { WorkerInput, WorkerMessage } from './train-worker-protocol.js';

function run(port: NonNullable<typeof parentPort>, { job, threadNice }: WorkerInput): void {
  const post = (msg: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
  try {
    const niceApplied = lowerThreadPriority(threadNice);
    const cpu0 = threadCpuMs();
    const proc0 = processCpuMs();
    const t0 = performance.now();
    const result = runPackedTraining(job, (progress) => post({ type: 'progress', progress }));
    const durationMs = performance.now() - t0;
    const cpu1 = threadCpuMs();
    const transfer = [result.kann.buffer as ArrayBuffer];
    if (result.pca) transfer.push(result.pca.buffer as ArrayBuffer);
    post(
      {
        type: 'done',
        result: {
          ...result,
          durationMs,
          cpu: {
            threadMs: cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
            processMs: processCpuMs() - proc0,
            niceApplied,
          },
        },
      },
      transfer,
    );
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', name: e.name, message: e.message });
  }
}

if (parentPort) run(parentPort, workerData as WorkerInput);
