import { Worker } from 'node:worker_threads';
import { workerScriptUrl } from '../../../common/worker-script.js';

/** What `PRAGMA quick_check` found: nothing yet, a clean file, or the first problems it listed. */
export type IntegrityState = { state: 'checking' } | { state: 'ok'; ms: number } | { state: 'corrupt'; problems: string[] };

const MAX_PROBLEMS = 10;

/**
 * Checks the store's file in the background (integrity-check-worker.ts) and keeps the outcome, so corrupt pages that
 * loading the index did not touch (an index b-tree, a free list) are reported on /health and in the log instead of
 * surfacing as a failed commit some day.
 */
export class IntegrityCheck {
  private current: IntegrityState = { state: 'checking' };
  private readonly worker: Worker;
  readonly finished: Promise<IntegrityState>;

  constructor(dbPath: string) {
    const started = performance.now();
    this.worker = new Worker(workerScriptUrl(import.meta.url, 'integrity-check-worker'), { workerData: { dbPath, maxProblems: MAX_PROBLEMS } });
    this.finished = new Promise((resolve) => {
      this.worker.once('message', (problems: string[]) => {
        this.current = problems.length === 0 ? { state: 'ok', ms: Math.round(performance.now() - started) } : { state: 'corrupt', problems };
        resolve(this.current);
      });
      this.worker.once('error', (err) => {
        this.current = { state: 'corrupt', problems: [`the check itself failed: ${err.message}`] };
        resolve(this.current);
      });
      // Stopped by stop() before it finished: nothing was found.
      this.worker.once('exit', () => resolve(this.current));
    });
  }

  get state(): IntegrityState {
    return this.current;
  }

  /** Shutdown does not wait for a check of a large file. */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
