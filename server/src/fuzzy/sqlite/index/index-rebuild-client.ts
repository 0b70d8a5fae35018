import { Worker } from 'node:worker_threads';
import { workerScriptUrl } from '../../../common/worker-script.js';
import { FuzzyIndex, type FuzzyIndexImage } from '../../memory/fuzzy-index.js';
import type { LoadStats } from './sqlite-index-loader.js';

/**
 * The index of the store's tables, built on a thread of its own (index-rebuild-worker.ts). `signal` ends the thread
 * (the store is closing); the promise then rejects with the signal's reason.
 */
export function rebuildIndex(dbPath: string, expireSeconds: number, signal?: AbortSignal): Promise<{ index: FuzzyIndex; stats: LoadStats }> {
  const worker = new Worker(workerScriptUrl(import.meta.url, 'index-rebuild-worker'), {
    workerData: { dbPath, expireSeconds },
    // Its garbage is rows read once: a 64 MB young generation (Node 24's default) bought only resident memory.
    resourceLimits: { maxYoungGenerationSizeMb: 16 },
  });
  return new Promise((resolve, reject) => {
    signal?.addEventListener('abort', () => {
      reject(signal.reason);
      void worker.terminate();
    });
    worker.once('message', (msg: { image: FuzzyIndexImage; stats: LoadStats } | { error: string }) => {
      void worker.terminate();
      if ('error' in msg) reject(new Error(`cannot index the SQLite store: ${msg.error}`));
      else resolve({ index: new FuzzyIndex(expireSeconds, {}, msg.image), stats: msg.stats });
    });
    worker.once('error', (err) => reject(new Error(`cannot index the SQLite store: ${err.message}`)));
    worker.once('exit', (code) => reject(new Error(`the index rebuild thread exited (code ${code})`)));
  });
}
