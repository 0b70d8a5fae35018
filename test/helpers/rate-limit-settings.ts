import type { RateLimitSettings } from '../../server/src/ratelimit/rate-limits.js';

/**
 * Rate-limit settings for tests of RateLimits: a burst of 2 that does not leak (rate 0), so the third request from a
 * /24 is refused until a test changes something; `over` replaces single fields.
 */
export function rateLimitTestSettings(over: Partial<RateLimitSettings> = {}): RateLimitSettings {
  return {
    rate: 0,
    burst: 2,
    networkMask: 24,
    bucketTtlSeconds: 3600,
    maxBuckets: 64,
    whitelist: [],
    logOnly: false,
    exemptLocal: true,
    ...over,
  };
}
