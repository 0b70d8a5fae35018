import type { AppConfig } from '../config/app-config.js';
import type { RateLimitSettings } from './rate-limits.js';

/** The names of the rate-limit fields of a configuration; the admin API's settings extend this list (access/settings). */
export type RateLimitField =
  | 'ratelimitRate'
  | 'ratelimitBurst'
  | 'ratelimitNetworkMask'
  | 'ratelimitBucketTtlSeconds'
  | 'ratelimitMaxBuckets'
  | 'ratelimitWhitelist'
  | 'ratelimitLogOnly'
  | 'ratelimitExemptLocal';

/** The rate-limit fields of a configuration (config/fuzzy-settings.ts, or with the admin API's values: access/settings). */
export type RateLimitFields = Pick<AppConfig, RateLimitField>;

/**
 * The rate-limit settings of a configuration. There is always a RateLimits, even with nothing to limit: the admin
 * API may set a network limit while serving, and dynamic keys may bring a key limit. The network limit is on only
 * when both `ratelimit_rate` and `ratelimit_burst` are set (§4.1).
 */
export function rateLimitSettings(config: RateLimitFields): RateLimitSettings {
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
