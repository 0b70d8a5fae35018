import type { UpdateOp } from '../fuzzy-backend.js';
import type { WriterResult } from './writer-protocol.js';
import { packOps } from './write-op-codec.js';
import type { WriterThread } from './writer-thread.js';

interface Pending {
  op: UpdateOp;
  resolve: (r: WriterResult) => void;
  reject: (e: Error) => void;
}

/**
 * Group commit: updates that arrive while a commit is running wait for the next one, so one transaction (and one
 * fsync) serves many writes, and each write is acknowledged only after the transaction holding it has committed.
 * Batches are never delayed on purpose: when idle, a write commits on the next turn of the event loop together with
 * whatever arrived in the same turn.
 */
export class GroupCommitQueue {
  private pending: Pending[] = [];
  private running: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly writer: WriterThread,
    /** Called with each committed batch, in commit order, before any of its writes is acknowledged. */
    private readonly onCommitted: (results: WriterResult[], ops: UpdateOp[]) => void,
    private readonly maxBatch = 4096,
  ) {}

  get depth(): number {
    return this.pending.length;
  }

  enqueue(op: UpdateOp): Promise<WriterResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (!this.scheduled && !this.running) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.commitNext();
        });
      }
    });
  }

  /** Resolves when everything enqueued so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.running || this.pending.length > 0) {
      if (!this.running) this.commitNext();
      await this.running;
    }
  }

  private commitNext(): void {
    if (this.running || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.running = this.commit(batch).finally(() => {
      this.running = null;
      this.commitNext();
    });
  }

  private async commit(batch: Pending[]): Promise<void> {
    const ops = batch.map((p) => p.op);
    const packed = packOps(ops);
    try {
      const results = await this.writer.request({ type: 'batch', ops: packed }, [packed.buffer as ArrayBuffer]);
      this.onCommitted(results, ops);
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    }
  }
}
