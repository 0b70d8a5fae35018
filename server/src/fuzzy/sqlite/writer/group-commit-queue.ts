import { StoreOverloadedError, type UpdateOp } from '../../fuzzy-backend.js';
import type { WriterResult } from './writer-protocol.js';
import { packOps } from './write-op-codec.js';
import type { WriterClient } from './writer-client.js';
import { type AuditBatch, packAuditContexts } from '../../../audit/audit-batch.js';
import type { AuditContext } from '../../../audit/audit-row.js';

interface Pending {
  op: UpdateOp;
  audit: AuditContext | undefined;
  bytes: number;
  resolve: (r: WriterResult) => void;
  reject: (e: Error) => void;
}

/** Bounds of the queue waiting for the next commit; past either, updates are refused at once (StoreOverloadedError). */
export interface QueueLimits {
  /**
   * Updates waiting: 2000 is a tenth of a second of shingled writes at their commit rate, far more than any client's
   * burst. A deeper queue lets a flood in a little faster (larger commits: 15.6k against 12.3k shingled writes/s in
   * test/faults/write-flood.test.ts, at 10000) but answers each write later and costs memory: every waiting update
   * outlives V8's young generation, and at 10000 the garbage they left took the heap to 230 MB (peak RSS 750 MB,
   * against 560 MB at 2000).
   */
  maxDepth: number;
  /** Their digests and shingles (a guard for a raised depth: 2000 updates are at most 640 kB). */
  maxBytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxDepth: 2000, maxBytes: 8 * 1024 * 1024 };

const opBytes = (op: UpdateOp): number => 64 + (op.kind === 'write' && op.shingles ? 256 : 0);
const MAX_OP_BYTES = 64 + 256;

/**
 * Group commit: updates that arrive while a commit is running wait for the next one, so one transaction (and one
 * fsync) serves many writes, and each write is acknowledged only after the transaction holding it has committed.
 * Batches are never delayed on purpose: when idle, a write commits on the next turn of the event loop together with
 * whatever arrived in the same turn.
 */
export class GroupCommitQueue {
  private pending: Pending[] = [];
  private pendingBytes = 0;
  /** Updates refused because the queue was at a bound, since start. */
  refused = 0;
  private running: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly writer: WriterClient,
    /** Called with each committed batch, in commit order, before any of its writes is acknowledged. */
    private readonly onCommitted: (results: WriterResult[], ops: UpdateOp[]) => void,
    private readonly maxBatch = 4096,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
  ) {}

  get depth(): number {
    return this.pending.length;
  }

  /** A batch is with the writer now. */
  get committing(): boolean {
    return this.running !== null;
  }

  /** Whether an update of the largest size (with shingles) would be queued now. */
  get hasRoom(): boolean {
    return this.fits(MAX_OP_BYTES);
  }

  private fits(bytes: number): boolean {
    return this.pending.length < this.limits.maxDepth && this.pendingBytes + bytes <= this.limits.maxBytes;
  }

  enqueue(op: UpdateOp, audit?: AuditContext): Promise<WriterResult> {
    const bytes = opBytes(op);
    if (!this.fits(bytes)) {
      this.refused++;
      return Promise.reject(
        new StoreOverloadedError(`write queue full (${this.pending.length} updates, ${this.pendingBytes} bytes waiting)`),
      );
    }
    this.pendingBytes += bytes;
    return new Promise((resolve, reject) => {
      this.pending.push({ op, audit, bytes, resolve, reject });
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
    for (const p of batch) this.pendingBytes -= p.bytes;
    this.running = this.commit(batch).finally(() => {
      this.running = null;
      this.commitNext();
    });
  }

  private async commit(batch: Pending[]): Promise<void> {
    const ops = batch.map((p) => p.op);
    const packed = packOps(ops);
    const audit: AuditBatch | undefined = packAuditContexts(batch.map((p) => p.audit));
    const transfer = [packed.buffer as ArrayBuffer, ...(audit ? [audit.index.buffer as ArrayBuffer] : [])];
    try {
      const results = await this.writer.request({ type: 'batch', ops: packed, ...(audit ? { audit } : {}) }, transfer);
      this.onCommitted(results, ops);
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    }
  }
}
