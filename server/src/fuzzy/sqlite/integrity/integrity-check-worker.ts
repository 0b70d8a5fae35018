import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { lowerThreadPriority } from '../../../common/thread-priority.js';

/**
 * Runs SQLite's `PRAGMA quick_check` on its own read-only connection, at a low priority: it reads every page of the
 * file (seconds at a million hashes), which must delay neither start-up nor a CHECK. In WAL mode it blocks no writer.
 */
const { dbPath, maxProblems } = workerData as { dbPath: string; maxProblems: number };
lowerThreadPriority(10);
let problems: string[];
try {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  const rows = db.pragma(`quick_check(${maxProblems})`) as { quick_check: string }[];
  db.close();
  // One row per problem, or (seen with SQLite 3.4x) one row of lines under a '*** in database main ***' heading.
  problems = rows
    .flatMap((r) => r.quick_check.split('\n'))
    .filter((text) => text !== 'ok' && !text.startsWith('***'))
    .slice(0, maxProblems);
} catch (err) {
  problems = [(err as Error).message];
}
parentPort!.postMessage(problems);
