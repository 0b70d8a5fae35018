import { Worker } from 'node:worker_threads';
import type { Durability } from '../../../config/app-config.js';
import { workerScriptUrl } from '../../../common/worker-script.js';
import type { WriterBacklog, WriterRequest, WriterResponse, WriterResult } from './writer-protocol.js';
import { unpackResults } from './writer-result-codec.js';

type Outgoing = WriterRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
type Answer = Exclude<WriterResponse, { type: 'ready' } | { type: 'failed' } | { type: 'unavailable' }>;

/** Main-thread handle on the SQLite writer thread: request/response by id, answered in the order sent. */
export class WriterClient {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: Answer) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private exited = false;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.on('message', (msg: WriterResponse) => {
      if (msg.type === 'ready' || msg.type === 'unavailable') return;
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.type === 'failed') w?.reject(new Error(`SQLite commit failed: ${msg.message}`));
      else w?.resolve(msg);
    });
    worker.on('exit', (code) => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error(`SQLite writer thread exited (code ${code})`));
      this.waiting.clear();
    });
  }

  static start(dbPath: string, durability: Durability): Promise<WriterClient> {
    const worker = new Worker(workerScriptUrl(import.meta.url, 'writer-worker'), {
      workerData: { dbPath, durability },
      // Its JavaScript only packs and unpacks batches: Node 24's 64 MB young generation bought only resident memory.
      resourceLimits: { maxYoungGenerationSizeMb: 16 },
    });
    return new Promise((resolve, reject) => {
      const failed = (err: unknown): void => reject(new Error(`cannot open the SQLite store: ${describe(err)}`));
      worker.once('error', failed);
      worker.once('exit', (code) => failed(`the writer thread exited (code ${code}) before it was ready`));
      worker.once('message', (msg: WriterResponse) => {
        if (msg.type === 'unavailable') return failed(msg.message);
        if (msg.type !== 'ready') return failed('the writer thread did not start');
        worker.off('error', failed);
        worker.removeAllListeners('exit');
        const thread = new WriterClient(worker);
        // A failure after start-up is reported through the pending requests ('exit').
        worker.on('error', () => {});
        resolve(thread);
      });
    });
  }

  get alive(): boolean {
    return !this.exited;
  }

  async request(msg: Outgoing, transfer: ArrayBuffer[] = []): Promise<WriterResult[]> {
    const answer = await this.send(msg, transfer);
    return answer.type === 'done' ? unpackResults(answer.results) : [];
  }

  async backlog(): Promise<WriterBacklog> {
    const answer = await this.send({ type: 'backlog' });
    return answer.type === 'backlog' ? answer.backlog : { journalOps: 0, shingleHashes: 0, failure: null };
  }

  private send(msg: Outgoing, transfer: ArrayBuffer[] = []): Promise<Answer> {
    if (this.exited) return Promise.reject(new Error('SQLite writer thread is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  /**
   * Lets the thread finish what it can (journal, shingle moves, checkpoint), for at most `timeoutMs`: a store that
   * cannot make progress (disk full) must not keep the process from exiting. What is left is durable in the file.
   */
  async close(timeoutMs = 8000): Promise<void> {
    if (this.exited) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([this.request({ type: 'close' }).catch(() => undefined), timeout]);
    clearTimeout(timer);
    await this.worker.terminate();
  }
}

function describe(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err instanceof Error && err.message) return err.message;
  return String(err);
}
