import { createSocket } from 'node:dgram';
import { Worker } from 'node:worker_threads';
import type { AppConfig } from '../config/app-config.js';
import type { ListenAddress } from '../config/listen-address.js';
import { workerScriptUrl } from '../common/worker-script.js';
import type { FuzzyIndex } from '../fuzzy/memory/fuzzy-index.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { AccessPolicy } from './access-policy.js';
import type { RequestHandler } from './request-handler.js';
import type { RateLimits } from '../ratelimit/rate-limits.js';
import { UdpCounters } from './udp-counters.js';
import type { UdpStats } from './udp-stats.js';
import type { ForwardedReply, ForwardedRequest, FromUdpWorker, ThreadAccessSettings, ToUdpWorker, UdpWorkerData } from './udp-thread-protocol.js';
import { type CheckReplyConfig, checkReplyConfig } from './check-reply-rules.js';
import { KeyFlagCounters } from './key-flag-counters.js';
import type { KeyFlagStats } from './key-flag-stats.js';

/** The UDP transport as the rest of fuzzyd sees it: one socket per address on the main thread, or UDP threads. */
export interface UdpPlane {
  listen(addresses: readonly ListenAddress[]): Promise<ListenAddress[]>;
  readonly boundAddresses: ListenAddress[];
  /** UDP threads serving the sockets; 0 when they are on the main thread. */
  readonly threads: number;
  close(): Promise<void>;
  /** Access settings changed (access/settings); absent when UDP is on the main thread, whose handler has them already. */
  applySettings?(settings: ThreadAccessSettings): void;
}

export interface UdpThreadsOptions {
  count: number;
  /** The index CHECKs are answered from; the backend may replace it (a rebuild finished), retiring the old one. */
  index: () => FuzzyIndex;
  /** The main thread's handler: forwarded requests go through it, exactly as if they had arrived here. */
  handler: RequestHandler;
  policy: AccessPolicy;
  /** The server keys; threads get copies, and the ring's changeable part again whenever it changes. */
  keys: KeyRing;
  stats: UdpStats;
  /** Per-key/per-flag counts: each thread gets a block, and keys get their rows before threads see them. */
  keyStats: KeyFlagStats;
  skipHashes: string[];
  config: Pick<AppConfig, 'encryptedOnly' | 'replyCodes' | 'forbiddenIds' | 'delaySeconds' | 'delayWhitelist'>;
  onWarning: (message: string, context: Record<string, unknown>) => void;
  /** Info lines from the threads (rate-limit bans). */
  onInfo: (message: string, context: Record<string, unknown>) => void;
  /** The rate limits the main thread's handler charges: threads get their tables. */
  rateLimits: RateLimits;
}

/**
 * UDP on worker threads (udp-worker.ts), each with its own socket on the same port: the kernel spreads clients over
 * them (SO_REUSEPORT, by source address and port) and each answers CHECKs from the shared index, so CHECKs use every
 * core and never wait behind HTTP. The main thread stays the index's only writer: it takes the requests the threads
 * forward (writes, STAT), sends them new index views when the layout changes, and the access lists when they change.
 */
export class UdpThreads implements UdpPlane {
  private readonly workers: Worker[] = [];
  private bound: ListenAddress[] = [];
  private readonly policyVersion = new Int32Array(new SharedArrayBuffer(4));
  private readonly keysVersion = new Int32Array(new SharedArrayBuffer(4));
  private viewPending = false;
  /** Replies for each thread not sent yet (reply()). */
  private readonly outboxes = new Map<Worker, ForwardedReply[]>();
  /** The index whose layout changes this pool follows. */
  private watched: FuzzyIndex | null = null;
  /** What a thread started now gets: the configuration's, then the latest applySettings'. */
  private checkReplies: CheckReplyConfig;

  constructor(private readonly o: UdpThreadsOptions) {
    this.checkReplies = checkReplyConfig(o.config);
  }

  get threads(): number {
    return this.o.count;
  }

  get boundAddresses(): ListenAddress[] {
    return this.bound.map((a) => ({ ...a }));
  }

  /**
   * Starts the threads; the first binds (choosing ports given as 0), the others join the ports it got. After
   * `close`, a new `listen` starts new threads (bind-fuzzy-ports.ts retries a port pair that way).
   */
  async listen(addresses: readonly ListenAddress[]): Promise<ListenAddress[]> {
    this.watch(this.o.index());
    for (let i = 0; i < this.o.count; i++) this.workers.push(this.spawn());
    this.o.policy.onBlockedChange = (blocked) => {
      const version = Atomics.add(this.policyVersion, 0, 1) + 1;
      this.broadcast({ type: 'policy', version, blocked: [...blocked] });
    };
    // The same pattern for keys: the word first, so a thread forwards from the next datagram until its copy arrives.
    this.o.keys.onChange = (changes) => {
      this.o.keyStats.assignRing(this.o.keys);
      const version = Atomics.add(this.keysVersion, 0, 1) + 1;
      this.broadcast({ type: 'keys', version, changes });
    };
    const [first, ...rest] = this.workers;
    const bound = await this.listenOn(first, addresses);
    await Promise.all(rest.map((w) => this.listenOn(w, bound)));
    this.bound = bound;
    return bound;
  }

  /**
   * The policy word first, as for `blocked`: from the next datagram each thread forwards everything to the main
   * thread, which has the new settings already, until its own copy has arrived.
   */
  applySettings(settings: ThreadAccessSettings): void {
    this.checkReplies = settings.checkReplies;
    const version = Atomics.add(this.policyVersion, 0, 1) + 1;
    this.broadcast({ type: 'settings', version, ...settings });
  }

  /** Closes the sockets and ends the threads. */
  async close(): Promise<void> {
    if (this.watched) this.watched.locks.onLayoutChange = () => {};
    this.watched = null;
    this.o.policy.onBlockedChange = () => {};
    this.o.keys.onChange = () => {};
    await Promise.all(
      this.workers.splice(0).map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            w.postMessage({ type: 'close' } satisfies ToUdpWorker);
            // A thread that does not end by itself (it should: its socket closed, its port too) is ended.
            setTimeout(() => void w.terminate(), 2000).unref();
          }),
      ),
    );
    this.bound = [];
  }

  private spawn(): Worker {
    const counters = new UdpCounters();
    this.o.stats.attach(counters.buffer);
    const keyCounters = new KeyFlagCounters(this.o.keyStats.slots);
    this.o.keyStats.attach(keyCounters.buffer);
    const data: UdpWorkerData = {
      counters: counters.buffer,
      keyCounters: { block: keyCounters.buffer, slots: this.o.keyStats.slots.buffer },
      view: this.watched!.view(),
      policyVersion: this.policyVersion.buffer as SharedArrayBuffer,
      blocked: [...this.o.policy.blocked],
      skipHashes: this.o.skipHashes,
      keypairs: [...this.o.keys.staticConfigs],
      keysVersion: this.keysVersion.buffer as SharedArrayBuffer,
      keyChanges: this.o.keys.current,
      keyChangesVersion: Atomics.load(this.keysVersion, 0),
      encryptedOnly: this.o.config.encryptedOnly,
      replyCodes: this.o.config.replyCodes,
      checkReplies: this.checkReplies,
      rateLimits: this.o.rateLimits.share,
    };
    const worker = new Worker(workerScriptUrl(import.meta.url, 'udp-worker'), { workerData: data });
    worker.on('message', (msg: FromUdpWorker) => {
      if (msg.type === 'forwards') for (const request of msg.requests) this.serveForwarded(worker, request);
      else if (msg.type === 'warning') this.o.onWarning(msg.message, msg.context);
      else if (msg.type === 'info') this.o.onInfo(msg.message, msg.context);
    });
    worker.on('error', (err) => this.o.onWarning('a UDP thread failed', { error: err.message }));
    worker.once('exit', (code) => {
      // What it counted stays in the totals; its block is no longer read.
      this.o.stats.detach(counters.buffer);
      this.o.keyStats.detach(keyCounters.buffer);
      this.replaceIfLost(worker, code);
    });
    return worker;
  }

  /** A thread that ended while serving (a bug, or out of memory) is replaced, on the same ports. */
  private replaceIfLost(worker: Worker, code: number): void {
    const at = this.workers.indexOf(worker);
    if (at < 0 || this.bound.length === 0) return;
    this.o.onWarning('a UDP thread ended; starting another', { code });
    const next = this.spawn();
    this.workers[at] = next;
    this.listenOn(next, this.bound).catch((err: Error) => this.o.onWarning('a UDP thread could not rebind', { error: err.message }));
  }

  private serveForwarded(worker: Worker, request: ForwardedRequest): void {
    const datagram = Buffer.from(request.datagram.buffer, request.datagram.byteOffset, request.datagram.byteLength);
    const send = (reply: Buffer): void => this.reply(worker, request.id, new Uint8Array(reply));
    const replies = this.o.handler.handle(datagram, request.address, request.port, send, request.admitted);
    if (!replies) this.reply(worker, request.id, null);
  }

  /** Replies go back once per turn of the event loop (a group commit acknowledges hundreds at once). */
  private reply(worker: Worker, id: number, reply: Uint8Array | null): void {
    let batch = this.outboxes.get(worker);
    if (!batch) {
      batch = [];
      this.outboxes.set(worker, batch);
      setImmediate(() => {
        this.outboxes.delete(worker);
        const transfer = batch!.flatMap((r) => (r.reply ? [r.reply.buffer as ArrayBuffer] : []));
        worker.postMessage({ type: 'replies', replies: batch! } satisfies ToUdpWorker, transfer);
      });
    }
    batch.push({ id, reply });
  }

  private listenOn(worker: Worker, addresses: readonly ListenAddress[]): Promise<ListenAddress[]> {
    return new Promise((resolve, reject) => {
      const onMessage = (msg: FromUdpWorker): void => {
        if (msg.type !== 'listening' && msg.type !== 'listen-failed') return;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        if (msg.type === 'listening') resolve(msg.addresses);
        else reject(new Error(msg.message));
      };
      const onExit = (code: number): void => reject(new Error(`a UDP thread exited (code ${code}) before it listened`));
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage({ type: 'listen', addresses: [...addresses] } satisfies ToUdpWorker);
    });
  }

  /** Layout changes come in bursts (32 shingle tables grow within a few writes): one view after the burst. */
  private sendViewSoon(): void {
    if (this.viewPending) return;
    this.viewPending = true;
    setImmediate(() => {
      this.viewPending = false;
      // A retired index changed its layout to say so: the view to send is the one of the index that replaced it.
      this.watch(this.o.index());
      this.broadcast({ type: 'view', view: this.watched!.view() });
    });
  }

  private watch(index: FuzzyIndex): void {
    if (this.watched === index) return;
    if (this.watched) this.watched.locks.onLayoutChange = () => {};
    this.watched = index;
    index.locks.onLayoutChange = () => this.sendViewSoon();
  }

  private broadcast(msg: ToUdpWorker): void {
    for (const w of this.workers) w.postMessage(msg);
  }
}

/**
 * Whether this runtime spreads one UDP port over several sockets: Node ≥ 22.12 / 23.1 on Linux. An older Node
 * ignores the option, and the second bind then fails.
 */
export async function reusePortWorks(): Promise<boolean> {
  const open = (port: number): Promise<import('node:dgram').Socket | null> =>
    new Promise((resolve) => {
      const s = createSocket({ type: 'udp4', reusePort: true });
      s.once('error', () => {
        s.close();
        resolve(null);
      });
      s.bind(port, '127.0.0.1', () => resolve(s));
    });
  const a = await open(0);
  if (!a) return false;
  const b = await open(a.address().port);
  a.close();
  b?.close();
  return b !== null;
}
