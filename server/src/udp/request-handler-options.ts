import type { FuzzyCrypto } from '../../../shared/protocol/fuzzy-crypto.js';
import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import type { Digest } from '../../../shared/protocol/types.js';
import type { CheckResult, FuzzyBackend } from '../fuzzy/fuzzy-backend.js';
import type { ServerKey } from '../keys/server-key.js';
import type { RateLimits } from '../ratelimit/rate-limits.js';
import type { AccessPolicy } from './access-policy.js';
import type { CheckReplyConfig } from './check-reply-rules.js';
import type { ReplyCodeSet } from './reply-codes.js';
import type { KeyFlagSink } from './key-flag-counters.js';
import type { UdpCounterSink } from './udp-counters.js';

/** What a RequestHandler (request-handler.ts) is built from, on the main thread or on a UDP thread. */

export type SendReply = (reply: Buffer) => void;

/**
 * What a handler on a UDP thread has instead of the store: CHECKs answered from the shared index where it can, and
 * everything else (writes, STAT, CHECKs it cannot answer) handed to the main thread, which replies through `send`.
 */
export interface ThreadDispatch {
  /** null when this thread cannot answer (fuzzy-index.ts `checkShared`). */
  check(digest: Digest, shingles: ShingleBlock | null): CheckResult | null;
  /** False when the queue to the main thread is full. `admitted`: rate limits were charged on this thread already. */
  forward(datagram: Buffer, address: string, port: number, send: SendReply, admitted?: boolean): boolean;
  /** False while the main thread has changed the access lists or the keys and this thread's copy may be older. */
  policyCurrent(): boolean;
}

export interface HandlerOptions {
  /** The store, on the main thread; a UDP thread has `thread` instead. */
  backend: FuzzyBackend | null;
  thread?: ThreadDispatch;
  policy: AccessPolicy;
  stats: UdpCounterSink;
  /** Per-key and per-flag counts (key-flag-counters.ts); none by default. */
  keyStats?: KeyFlagSink;
  /** Decrypts with the server keys (keys/key-ring.ts); null when there are none. */
  crypto: FuzzyCrypto<ServerKey> | null;
  /** rspamd's `allow_update_keys`: ids of keys whose clients may update (keys/write-permission.ts). */
  allowUpdateKeys?: ReadonlySet<string>;
  encryptedOnly: boolean;
  readOnly: boolean;
  /** rspamd's rate limits (ratelimit/rate-limits.ts), shared by every thread; null or absent when none apply. */
  rateLimits?: RateLimits | null;
  /** Which refusal codes clients get (reply-codes.ts); `auto` by default. */
  replyCodes?: ReplyCodeSet;
  /** rspamd's `weak_ids`: WRITEs of these flags never displace another flag (update-rule.ts). */
  weakIds?: ReadonlySet<number>;
  /** `delay`, `delay_whitelist`, `forbidden_ids` (check-reply-rules.ts); none by default. */
  checkReplies?: CheckReplyConfig;
  /** Told about refused writes, failed commits and dropped datagrams (rate-limited by the caller's logger). */
  onWarning: (message: string, context: Record<string, unknown>) => void;
}
