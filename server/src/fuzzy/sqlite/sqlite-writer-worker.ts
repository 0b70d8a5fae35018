import { parentPort, workerData } from 'node:worker_threads';
import type { Durability } from '../../config/app-config.js';
import { SqliteWriter } from './sqlite-writer.js';
import { openFuzzyDatabase } from './sqlite-schema.js';
import { unpackOps } from './write-op-codec.js';
import type { WriterRequest, WriterResponse } from './writer-protocol.js';

/**
 * The writer thread: owns the only write connection to the fuzzy tables, so commits (and their fsyncs) never block
 * the event loop that answers CHECKs.
 */
const { dbPath, durability } = workerData as { dbPath: string; durability: Durability };
const db = openFuzzyDatabase(dbPath, { durability });
const writer = new SqliteWriter(db, durability);
// Shingle rows left queued by a crash are moved before anything reads the file (the index is built from it).
writer.drainPendingShingles();
const port = parentPort!;

/** Pending shingle rows move between messages, in slices short enough not to delay acknowledgements much. */
const MOVE_SLICE_MS = 5;
let moveScheduled = false;
function scheduleShingleMove(): void {
  if (moveScheduled || writer.pendingShingles === 0) return;
  moveScheduled = true;
  setImmediate(() => {
    moveScheduled = false;
    try {
      writer.movePendingShingles(MOVE_SLICE_MS);
    } catch {
      // Retried on the next slice; the rows stay queued and durable.
    }
    scheduleShingleMove();
  });
}

function reply(msg: WriterResponse): void {
  port.postMessage(msg);
}

port.on('message', (msg: WriterRequest) => {
  try {
    switch (msg.type) {
      case 'batch':
        reply({ type: 'done', id: msg.id, results: writer.apply(unpackOps(Buffer.from(msg.ops.buffer, msg.ops.byteOffset, msg.ops.byteLength))) });
        break;
      case 'purge':
        reply({ type: 'done', id: msg.id, results: writer.purgeExpired(msg.now, msg.expireSeconds, msg.limit) });
        break;
      case 'close':
        writer.drainPendingShingles();
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        reply({ type: 'done', id: msg.id, results: [] });
        port.close();
        break;
    }
  } catch (err) {
    reply({ type: 'failed', id: msg.id, message: (err as Error).message });
  }
  if (msg.type !== 'close') scheduleShingleMove();
});

reply({ type: 'ready' });
