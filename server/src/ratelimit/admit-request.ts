import { Command, ReplyCode } from '../../../shared/protocol/constants.js';
import type { FlagValue, FuzzyRequest } from '../../../shared/protocol/types.js';
import type { ServerKey } from '../keys/server-key.js';
import type { UdpCounterSink } from '../udp/udp-counters.js';
import type { RateLimits } from './rate-limits.js';

/**
 * The request handler's two calls into rate limits (docs/spec/access-controls.md §0 steps G–I), kept out of
 * request-handler.ts. `admitRequest` charges and counts; true means refuse (never under ratelimit_log_only).
 */
export function admitRequest(limits: RateLimits, cmd: number, address: string, key: ServerKey | null, stats: UdpCounterSink): boolean {
  // Nothing to charge (no network limit, no key limit): the usual case costs two tests, not a clock read.
  if (!limits.mayCharge(key)) return false;
  // Seconds since the epoch: Date.now is the same clock on every thread (performance.now is not: each thread has
  // its own time origin), and allocates nothing.
  const over = limits.admit(cmd, address, key, Date.now() / 1000);
  if (over === null) return false;
  stats.countOverLimit();
  return limits.refuse;
}

type Reply = (value: number, flag: number, prob: number, digest: Buffer, ts: number, extraFlags?: readonly FlagValue[]) => void;

/**
 * A refused CHECK gets `403, prob 0, flag 0`, digest echoed, in every generation and whatever FUZZYD_REPLY_CODES
 * says: rspamd keeps 403 here ("should be 429 but we keep compatibility", §4.6), which 3.4–3.9 clients show as
 * FUZZY_BLOCKED and 3.10+ as FUZZY_RATELIMITED (§9). A refused PING or STAT gets no reply (rspamd ≥ 4.1.3).
 * Returns whether a reply was sent, as RequestHandler.handle does.
 */
export function refuseLimited(req: FuzzyRequest, stats: UdpCounterSink, reply: Reply): boolean {
  stats.record(req.cmd, 'ratelimited');
  if (req.cmd !== Command.Check) return false;
  reply(ReplyCode.Forbidden, 0, 0, req.digest, 0);
  return true;
}
