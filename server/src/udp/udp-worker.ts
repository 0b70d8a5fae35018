import { parentPort, workerData } from 'node:worker_threads';
import { FuzzyCrypto } from '../../../shared/protocol/fuzzy-crypto.js';
import { rateLimited } from '../common/rate-limited.js';
import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { Digest } from '../../../shared/protocol/types.js';
import { FuzzyIndex, type FuzzyIndexView } from '../fuzzy/memory/fuzzy-index.js';
import { KeyRing } from '../keys/key-ring.js';
import type { ServerKey } from '../keys/server-key.js';
import { RateLimits } from '../ratelimit/rate-limits.js';
import { AccessPolicy } from './access-policy.js';
import { RequestHandler, type SendReply } from './request-handler.js';
import { UdpCounters } from './udp-counters.js';
import { KeyFlagCounters } from './key-flag-counters.js';
import { KeySlotTable } from './key-slot-table.js';
import { UdpServer } from './udp-server.js';
import type { ForwardedRequest, FromUdpWorker, ToUdpWorker, UdpWorkerData } from './udp-thread-protocol.js';

/**
 * A UDP thread: its own socket on the shared port (reusePort), CHECK and PING answered from the shared index, every
 * other request handed to the main thread and its reply sent from here. No HTTP, Nest or SQLite runs on it, so an
 * admin's export or a flood of HTTP bodies never delays a CHECK answered here.
 */
const data = workerData as UdpWorkerData;
const port = parentPort!;
const post = (msg: FromUdpWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(msg, transfer);

/** Requests waiting for the main thread at most: past that (a write flood), new ones are refused at once. */
const MAX_FORWARDED = 4096;

let view: FuzzyIndexView = data.view;
let index = FuzzyIndex.reader(view);
const policyVersion = new Int32Array(data.policyVersion);
let knownPolicy = Atomics.load(policyVersion, 0);
const keysVersion = new Int32Array(data.keysVersion);
let knownKeys = data.keyChangesVersion;
const keys = new KeyRing(data.keypairs);
keys.replace(data.keyChanges);
const policy = new AccessPolicy([], data.blocked, data.skipHashes);
const waiting = new Map<number, SendReply>();
let nextId = 1;
/**
 * Forwarded requests are sent once per turn of the event loop: a message per WRITE cost two thread wake-ups each
 * way, and halved the WRITE rate against UDP on the main thread.
 */
let outbox: ForwardedRequest[] = [];
const flushOutbox = (): void => {
  const requests = outbox;
  outbox = [];
  post({ type: 'forwards', requests }, requests.map((r) => r.datagram.buffer as ArrayBuffer));
};

const crypto = new FuzzyCrypto<ServerKey>((wireId) => keys.find(wireId));
const rateLimits = new RateLimits(
  data.rateLimits.settings,
  rateLimited((message, context) => post({ type: 'info', message, context })),
  data.rateLimits,
);
const handler = new RequestHandler({
  backend: null,
  thread: {
    check: (digest: Digest, shingles: ShingleBlock | null) => index.checkShared(digest, shingles, Date.now() / 1000, view.layout),
    forward(datagram, address, srcPort, send, admitted = false) {
      if (waiting.size >= MAX_FORWARDED) return false;
      const id = nextId++;
      waiting.set(id, send);
      // An exact copy: a Buffer may be a view into a larger pool, and posting it would copy the whole pool.
      const copy = new Uint8Array(datagram);
      if (outbox.push({ id, datagram: copy, address, port: srcPort, admitted }) === 1) setImmediate(flushOutbox);
      return true;
    },
    policyCurrent: () => Atomics.load(policyVersion, 0) === knownPolicy && Atomics.load(keysVersion, 0) === knownKeys,
  },
  policy,
  stats: new UdpCounters(data.counters),
  keyStats: new KeyFlagCounters(new KeySlotTable(false, data.keyCounters.slots), data.keyCounters.block),
  crypto,
  encryptedOnly: data.encryptedOnly,
  // Writes are decided on the main thread, which knows read_only and allow_update.
  readOnly: false,
  replyCodes: data.replyCodes,
  checkReplies: data.checkReplies,
  // The same shared bucket tables as the main thread and the other threads; bans are logged by the main thread.
  rateLimits,
  // At most once per 10 s per message, like the main thread's own warnings, before any message is posted.
  onWarning: rateLimited((message, context) => post({ type: 'warning', message, context })),
});
const server = new UdpServer(handler, { reusePort: true });

port.on('message', (msg: ToUdpWorker) => {
  switch (msg.type) {
    case 'replies':
      for (const { id, reply } of msg.replies) {
        const send = waiting.get(id);
        waiting.delete(id);
        if (send && reply) send(Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength));
      }
      return;
    case 'view':
      view = msg.view;
      index = FuzzyIndex.reader(view);
      return;
    case 'policy':
      policy.setBlocked(msg.blocked);
      knownPolicy = msg.version;
      return;
    case 'settings':
      handler.setCheckReplies(msg.checkReplies);
      rateLimits.adopt(msg.rateLimits);
      knownPolicy = msg.version;
      return;
    case 'keys':
      try {
        keys.replace(msg.changes);
        knownKeys = msg.version;
      } catch {
        // Loaded on the main thread already, so this should not happen; if it does, this thread keeps forwarding
        // everything to the main thread (slower, never wrong).
        post({ type: 'warning', message: 'a UDP thread could not load the new key set', context: {} });
      }
      return;
    case 'listen':
      server.listen(msg.addresses).then(
        (addresses) => post({ type: 'listening', addresses }),
        (err: Error) => post({ type: 'listen-failed', message: err.message }),
      );
      return;
    case 'close':
      void server.close().then(() => {
        post({ type: 'closed' });
        port.close();
      });
      return;
  }
});
