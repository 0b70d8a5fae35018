import type { KeyRingChanges } from '../keys/key-ring.js';
import type { KeyConfig } from '../keys/server-key.js';
import type { ListenAddress } from '../config/listen-address.js';
import type { RateLimitShare } from '../ratelimit/rate-limits.js';
import type { FuzzyIndexView } from '../fuzzy/memory/fuzzy-index.js';
import type { NetworkEntry } from './network-list.js';
import type { CheckReplyConfig } from './check-reply-rules.js';
import type { ReplyCodeSet } from './reply-codes.js';

/** What a UDP thread starts with (udp-worker.ts). */
export interface UdpWorkerData {
  /** This thread's UdpCounters block: the main thread sums it with the others. */
  counters: SharedArrayBuffer;
  /** This thread's per-key/per-flag block and the main thread's key slot table (key-flag-counters.ts). */
  keyCounters: { block: SharedArrayBuffer; slots: SharedArrayBuffer };
  view: FuzzyIndexView;
  /** Int32 word the main thread bumps whenever it changes the access lists or settings (`policy`, `settings` messages). */
  policyVersion: SharedArrayBuffer;
  blocked: NetworkEntry[];
  skipHashes: string[];
  keypairs: KeyConfig[];
  /** Int32 word the main thread bumps whenever the dynamic keys, admin keys or disabled ids change (`keys` messages). */
  keysVersion: SharedArrayBuffer;
  /** The ring's changeable part at spawn time, and the value of the keys word it belongs to. */
  keyChanges: KeyRingChanges;
  keyChangesVersion: number;
  encryptedOnly: boolean;
  replyCodes: ReplyCodeSet;
  checkReplies: CheckReplyConfig;
  /** The rate-limit settings and the bucket tables every thread charges (ratelimit/rate-limits.ts). */
  rateLimits: RateLimitShare;
}

/** The access settings a UDP thread applies itself, sent whole whenever the admin API changes one (access/settings). */
export interface ThreadAccessSettings {
  checkReplies: CheckReplyConfig;
  rateLimits: RateLimitShare;
}

export type ToUdpWorker =
  | { type: 'listen'; addresses: ListenAddress[] }
  /** The index's buffers at a new layout (a table grew or a resize finished). */
  | { type: 'view'; view: FuzzyIndexView }
  | { type: 'policy'; version: number; blocked: NetworkEntry[] }
  /** New access settings; `version` is the same word as `policy`'s, so a thread forwards everything until it has them. */
  | ({ type: 'settings'; version: number } & ThreadAccessSettings)
  /** The ring's whole changeable part (dynamic_keys_map changed, or admin keys or disabled ids over the API). */
  | { type: 'keys'; version: number; changes: KeyRingChanges }
  /** The main thread's answers to forwarded requests, gathered per turn of its event loop. */
  | { type: 'replies'; replies: ForwardedReply[] }
  | { type: 'close' };

export type FromUdpWorker =
  | { type: 'listening'; addresses: ListenAddress[] }
  | { type: 'listen-failed'; message: string }
  /** Requests for the main thread, gathered per turn of the thread's event loop: one message, not one each. */
  | { type: 'forwards'; requests: ForwardedRequest[] }
  | { type: 'warning'; message: string; context: Record<string, unknown> }
  /** An info line for the main thread's log (a rate-limit ban). */
  | { type: 'info'; message: string; context: Record<string, unknown> }
  | { type: 'closed' };

export interface ForwardedRequest {
  id: number;
  datagram: Uint8Array;
  address: string;
  port: number;
  /** This thread charged the request's rate limits already: the main thread must not charge it again. */
  admitted: boolean;
}

/** `reply` is null when the main thread sends none (e.g. a resend whose first copy is still committing). */
export interface ForwardedReply {
  id: number;
  reply: Uint8Array | null;
}
