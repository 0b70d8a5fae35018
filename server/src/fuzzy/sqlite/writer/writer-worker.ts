import { parentPort, workerData } from 'node:worker_threads';
import type { Durability } from '../../../config/app-config.js';
import { lowerThreadPriority } from '../../../common/thread-priority.js';
import { SqliteWriter } from './sqlite-writer.js';
import { openFuzzyDatabase } from '../sqlite-schema.js';
import type { WriterRequest, WriterResponse, WriterResult } from './writer-protocol.js';
import { packResults } from './writer-result-codec.js';

/**
 * The writer thread: owns the only write connection to the fuzzy tables, so commits (and their fsyncs) never block
 * the event loop that answers CHECKs.
 */
const { dbPath, durability } = workerData as { dbPath: string; durability: Durability };
// CHECK latency matters more than how soon a WRITE is acknowledged: under CPU contention the event loop goes first.
const WRITER_NICE = 5;
lowerThreadPriority(WRITER_NICE);
const port = parentPort!;
/**
 * Opens the file and finishes the work a crash left queued, before anything reads it (the index is built from it).
 * A failure here (read-only directory, unreadable or corrupt file) is sent as text: better-sqlite3's SqliteError does
 * not survive the thread boundary with its message, and the operator must see it.
 */
function openWriter(): { db: ReturnType<typeof openFuzzyDatabase>; writer: SqliteWriter } {
  try {
    const db = openFuzzyDatabase(dbPath, { durability });
    const writer = new SqliteWriter(db, durability);
    writer.drainJournal();
    writer.drainPendingShingles();
    return { db, writer };
  } catch (err) {
    const e = err as Error & { code?: string };
    port.postMessage({ type: 'unavailable', message: `${dbPath}: ${e.message}${e.code ? ` (${e.code})` : ''}` } satisfies WriterResponse);
    process.exit(1);
  }
}
const { db, writer } = openWriter();

/**
 * Background work, in slices short enough not to delay the next acknowledgement much: first applying the journal to
 * rspamd's tables, then moving queued shingle rows. Each waits until no batch has arrived for a while, so during a
 * burst of writes every bit of this thread goes to acknowledging them; a backlog past its limit is worked on between
 * batches even under load, so neither queue grows without bound (and acknowledgements slow to the rate it drains).
 */
const SLICE_MS = 5;
/**
 * Readers waiting for the journal to reach rspamd's tables (`settle`), each with the journal position it needs. While
 * any wait, the journal is worked on as if past its limit: between batches, so acknowledgements go on meanwhile.
 */
const settles: { id: number; upTo: number }[] = [];
function answerSettled(): void {
  for (let i = settles.length - 1; i >= 0; i--) {
    if (!writer.isApplied(settles[i].upTo)) continue;
    done(settles[i].id, []);
    settles.splice(i, 1);
  }
}
const QUEUES = [
  {
    size: () => writer.journalSize,
    work: () => {
      writer.replayJournal(SLICE_MS);
      answerSettled();
    },
    idleMs: 5,
    limit: 100_000,
    urgent: () => settles.length > 0,
  },
  {
    size: () => writer.pendingShingles,
    work: () => writer.movePendingShingles(SLICE_MS),
    idleMs: 20,
    limit: 200_000,
    urgent: () => false,
  },
  {
    // Staged audit rows wait for a pause like the shingle rows; past the limit they move between batches too.
    size: () => writer.stagedAuditRows,
    work: () => writer.moveStagedAudit(SLICE_MS),
    idleMs: 50,
    limit: 200_000,
    urgent: () => false,
  },
];
let lastBatchAt = 0;
let workTimer: NodeJS.Timeout | null = null;
/**
 * The last failure of the store (a commit or a background slice), cleared by the next success: /health reports it.
 * While background work keeps failing (disk full), it is retried after a growing pause instead of at once, so the
 * thread does not spin.
 */
let failure: string | null = null;
let failedSlices = 0;
const MAX_BACKOFF_MS = 5000;
type Queue = (typeof QUEUES)[number];
const pressing = (q: Queue): boolean => q.size() > 0 && (q.urgent() || q.size() > q.limit);
/** A pressing queue goes first (else a full journal would starve the shingle moves forever), then in order. */
function nextQueue(): Queue | undefined {
  return QUEUES.find(pressing) ?? QUEUES.find((q) => q.size() > 0);
}
function scheduleBackgroundWork(): void {
  const queue = nextQueue();
  if (workTimer || !queue) return;
  const backoff = failedSlices === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 50 * 2 ** failedSlices);
  const wait = Math.max(backoff, pressing(queue) ? 0 : queue.idleMs - (performance.now() - lastBatchAt));
  workTimer = setTimeout(() => {
    workTimer = null;
    const due = nextQueue();
    if (due && (pressing(due) || performance.now() - lastBatchAt >= due.idleMs)) {
      try {
        due.work();
        failedSlices = 0;
        failure = null;
      } catch (err) {
        // Retried later; the queued work stays durable.
        failedSlices = Math.min(failedSlices + 1, 16);
        failure = describeError(err);
      }
    }
    scheduleBackgroundWork();
  }, wait);
}

function describeError(err: unknown): string {
  const e = err as Error & { code?: string };
  return `${e.message}${e.code ? ` (${e.code})` : ''}`;
}

/**
 * Shutdown: finish what can be finished, never wait for what cannot. Whatever a step leaves (disk full) is durable in
 * fuzzyd's own tables and is finished at the next start.
 */
function closeStore(): void {
  if (workTimer) clearTimeout(workTimer);
  const steps = [
    () => writer.drainJournal(),
    () => answerSettled(),
    () => writer.drainPendingShingles(),
    () => writer.moveStagedAudit(1000),
    () => db.pragma('wal_checkpoint(TRUNCATE)'),
  ];
  for (const step of steps) {
    try {
      step();
    } catch {
      // left for the next start
    }
  }
  db.close();
}

function reply(msg: WriterResponse): void {
  port.postMessage(msg);
}

function done(id: number, results: WriterResult[]): void {
  const packed = packResults(results);
  port.postMessage({ type: 'done', id, results: packed } satisfies WriterResponse, [
    packed.records.buffer as ArrayBuffer,
    packed.shingles.buffer as ArrayBuffer,
    packed.extraFlags.buffer as ArrayBuffer,
  ]);
}

port.on('message', (msg: WriterRequest) => {
  try {
    switch (msg.type) {
      case 'batch':
        lastBatchAt = performance.now();
        try {
          done(msg.id, writer.commit(Buffer.from(msg.ops.buffer, msg.ops.byteOffset, msg.ops.byteLength), undefined, msg.audit));
          if (failedSlices === 0) failure = null;
        } catch (err) {
          failure = describeError(err);
          throw err;
        }
        break;
      case 'settle':
        settles.push({ id: msg.id, upTo: writer.journalTail });
        answerSettled();
        break;
      case 'backlog':
        reply({
          type: 'backlog',
          id: msg.id,
          backlog: { journalOps: writer.journalSize, shingleHashes: writer.pendingShingles, failure },
        });
        break;
      case 'purge':
        done(msg.id, writer.purgeExpired(msg.now, msg.expireSeconds, msg.limit));
        break;
      case 'close':
        closeStore();
        done(msg.id, []);
        port.close();
        break;
    }
  } catch (err) {
    reply({ type: 'failed', id: msg.id, message: describeError(err) });
  }
  if (msg.type !== 'close') scheduleBackgroundWork();
});

reply({ type: 'ready' });
