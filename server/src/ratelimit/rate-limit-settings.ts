import type { AppConfig } from '../config/app-config.js';
import type { RateLimitSettings } from './rate-limits.js';

/**
 * The rate-limit settings of a configuration. The network limit needs both `ratelimit_rate` and `ratelimit_burst`
 * (rspamd, §4.1); the key buckets are always kept ready, since a key made over the admin API (or a dynamic key) may
 * bring its own `ratelimit` at any time. Without a network limit and a key limit a request costs admit() three
 * comparisons.
 */
export function rateLimitSettings(config: AppConfig): RateLimitSettings {
  const network = config.ratelimitRate !== null && config.ratelimitBurst !== null;
  return {
    rate: network ? config.ratelimitRate : null,
    burst: network ? config.ratelimitBurst : null,
    networkMask: config.ratelimitNetworkMask,
    bucketTtlSeconds: config.ratelimitBucketTtlSeconds,
    maxBuckets: config.ratelimitMaxBuckets,
    whitelist: config.ratelimitWhitelist,
    logOnly: config.ratelimitLogOnly,
    exemptLocal: config.ratelimitExemptLocal,
  };
}
