import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { FuzzyIndex } from '../../memory/fuzzy-index.js';
import { expectedIndexSize, loadIndexFromSqlite } from './sqlite-index-loader.js';

/**
 * Rebuilds the index from rspamd's tables on a thread of its own. The index lives in SharedArrayBuffers, so the
 * result reaches the main thread without a copy; the garbage of reading millions of rows (most of the rebuild's
 * memory) goes away with this thread's heap when it ends, instead of staying in the main thread's.
 */
const { dbPath, expireSeconds } = workerData as { dbPath: string; expireSeconds: number };
try {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  // The rebuild reads every page once: neither a large cache nor a memory map would be used again.
  db.pragma('cache_size = -8192');
  db.pragma('mmap_size = 0');
  // One read transaction: the tables as of one moment, while the writer goes on moving its journal into them (the
  // main thread replays every commit since the store opened onto this index).
  db.exec('BEGIN');
  const index = new FuzzyIndex(expireSeconds, expectedIndexSize(db));
  const stats = loadIndexFromSqlite(db, index);
  db.exec('COMMIT');
  db.close();
  parentPort!.postMessage({ image: index.toImage(), stats });
} catch (err) {
  parentPort!.postMessage({ error: (err as Error).message });
}
