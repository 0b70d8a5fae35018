import type { RateLimits } from '../../ratelimit/rate-limits.js';
import { rateLimitSettings } from '../../ratelimit/rate-limit-settings.js';
import { checkReplyConfig } from '../../udp/check-reply-rules.js';
import type { RequestHandler } from '../../udp/request-handler.js';
import type { UdpPlane } from '../../udp/udp-threads.js';
import type { AccessValues } from './access-setting-catalog.js';

/** The running parts that hold access settings (built in bootstrap.ts before Nest). */
export interface LiveAccessParts {
  /** The main thread's handler: TCP frames, forwarded datagrams, UDP on the main thread. */
  handler: RequestHandler;
  udp: UdpPlane;
  rateLimits: RateLimits;
  /** The very sets the main thread's handler reads (writes are decided only there), changed in place. */
  weakIds: Set<number>;
  allowUpdateKeys: Set<string>;
}

/**
 * Puts a whole set of access values in force, no restart: the main thread's handler and rate limits at once (TCP
 * and forwarded requests obey them from the next frame), the UDP threads through udp-threads.ts, which makes each
 * thread forward everything to the main thread until its copy has arrived. Returns whether the network buckets were
 * started afresh (a new mask or table size, or the limit turned on).
 */
export function applyAccess(parts: LiveAccessParts, values: AccessValues): boolean {
  const reset = parts.rateLimits.reconfigure(rateLimitSettings(values));
  const checkReplies = checkReplyConfig(values);
  parts.handler.setCheckReplies(checkReplies);
  replaceAll(parts.weakIds, values.weakIds);
  replaceAll(parts.allowUpdateKeys, values.allowUpdateKeys.ids);
  parts.udp.applySettings?.({ checkReplies, rateLimits: parts.rateLimits.share });
  return reset;
}

/** In place, within one turn of the event loop: no request sees a half-filled set. */
function replaceAll<T>(set: Set<T>, items: readonly T[]): void {
  set.clear();
  for (const item of items) set.add(item);
}
