import { parentPort, workerData } from 'node:worker_threads';
import type { Durability } from '../../config/app-config.js';
import { lowerThreadPriority } from '../../common/thread-priority.js';
import { SqliteWriter } from './sqlite-writer.js';
import { openFuzzyDatabase } from './sqlite-schema.js';
import { unpackOps } from './write-op-codec.js';
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
const db = openFuzzyDatabase(dbPath, { durability });
const writer = new SqliteWriter(db, durability);
// Shingle rows left queued by a crash are moved before anything reads the file (the index is built from it).
writer.drainPendingShingles();
const port = parentPort!;

/**
 * Pending shingle rows move while no batch has arrived for IDLE_MS, in slices short enough not to delay the next
 * acknowledgement much: during a burst of writes every bit of this thread goes to acknowledging them. A backlog past
 * BACKLOG_LIMIT moves between batches even under load, so the queue cannot grow without bound.
 */
const MOVE_SLICE_MS = 5;
const IDLE_MS = 20;
const BACKLOG_LIMIT = 200_000;
let lastBatchAt = 0;
let moveTimer: NodeJS.Timeout | null = null;
function scheduleShingleMove(): void {
  if (moveTimer || writer.pendingShingles === 0) return;
  const idleFor = performance.now() - lastBatchAt;
  const wait = writer.pendingShingles > BACKLOG_LIMIT ? 0 : Math.max(0, IDLE_MS - idleFor);
  moveTimer = setTimeout(() => {
    moveTimer = null;
    if (writer.pendingShingles <= BACKLOG_LIMIT && performance.now() - lastBatchAt < IDLE_MS) return scheduleShingleMove();
    try {
      writer.movePendingShingles(MOVE_SLICE_MS);
    } catch {
      // Retried on the next slice; the rows stay queued and durable.
    }
    scheduleShingleMove();
  }, wait);
}

function reply(msg: WriterResponse): void {
  port.postMessage(msg);
}

function done(id: number, results: WriterResult[]): void {
  const packed = packResults(results);
  port.postMessage({ type: 'done', id, results: packed } satisfies WriterResponse, [
    packed.records.buffer as ArrayBuffer,
    packed.shingles.buffer as ArrayBuffer,
  ]);
}

port.on('message', (msg: WriterRequest) => {
  try {
    switch (msg.type) {
      case 'batch':
        lastBatchAt = performance.now();
        done(msg.id, writer.apply(unpackOps(Buffer.from(msg.ops.buffer, msg.ops.byteOffset, msg.ops.byteLength))));
        break;
      case 'purge':
        done(msg.id, writer.purgeExpired(msg.now, msg.expireSeconds, msg.limit));
        break;
      case 'close':
        if (moveTimer) clearTimeout(moveTimer);
        writer.drainPendingShingles();
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        done(msg.id, []);
        port.close();
        break;
    }
  } catch (err) {
    reply({ type: 'failed', id: msg.id, message: (err as Error).message });
  }
  if (msg.type !== 'close') scheduleShingleMove();
});

reply({ type: 'ready' });
