import type { RedisAddress } from '../config/app-config.js';
import { redactRedisUrl } from '../neural/redis/redis-unavailable.error.js';

/** One entry of /health's `checks`. */
export interface Check {
  ok: boolean;
  detail?: string;
  /** A failing optional check does not make the status degraded. */
  optional?: boolean;
}

/**
 * The neural client's PING as /health shows it. A Redis an admin configured is required; the default address
 * (rspamd's usual 127.0.0.1:6379) is optional: a host without Redis is healthy, and the check says what to set.
 */
export function redisCheck(ping: { ok: boolean; detail: string }, address: Pick<RedisAddress, 'url' | 'configured'>): Check {
  if (address.configured) return ping;
  if (ping.ok) return { ...ping, optional: true };
  return {
    ok: false,
    optional: true,
    detail: `not reachable at the default address ${redactRedisUrl(address.url)} (${ping.detail}); set FUZZYD_REDIS_URL to use another, or set it empty to turn the neural pages off`,
  };
}
