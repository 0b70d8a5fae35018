import type { AppConfig } from '../config/app-config.js';
import type { RateLimitSettings } from './rate-limits.js';

/**
 * The rate-limit settings of a configuration, or none when nothing can be limited: no network limit (rspamd needs
 * both `ratelimit_rate` and `ratelimit_burst`, §4.1) and no key with its own `extensions.ratelimit`. Dynamic keys
 * may gain a limit later, so a configured dynamic_keys_map keeps the key buckets ready.
 */
export function rateLimitSettings(config: AppConfig): RateLimitSettings | null {
  const network = config.ratelimitRate !== null && config.ratelimitBurst !== null;
  const keyed = config.keypairs.some((k) => k.extensions?.ratelimit !== undefined) || config.dynamicKeysMap !== null;
  if (!network && !keyed) return null;
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
