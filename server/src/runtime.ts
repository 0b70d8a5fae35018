import type { AccessSettings } from './access/settings/access-settings.js';
import type { AppConfig } from './config/app-config.js';
import type { AuditLog } from './audit/audit-log.js';
import type { Logger } from './common/logger.js';
import type { FuzzyBackend } from './fuzzy/fuzzy-backend.js';
import type { AdminKeys } from './keys/admin-keys.js';
import type { KeyRing } from './keys/key-ring.js';
import type { RateLimits } from './ratelimit/rate-limits.js';
import type { TcpServer } from './tcp/tcp-server.js';
import type { TcpStats } from './tcp/tcp-stats.js';
import type { AccessPolicy } from './udp/access-policy.js';
import type { UdpPlane } from './udp/udp-threads.js';
import type { UdpStats } from './udp/udp-stats.js';
import type { KeyFlagStats } from './udp/key-flag-stats.js';

/**
 * The singletons built before Nest starts (the UDP plane must not depend on Nest) and handed to the HTTP app, so the
 * admin API and the UDP plane share one store, one policy and one set of counters.
 */
export interface Runtime {
  config: AppConfig;
  logger: Logger;
  backend: FuzzyBackend;
  policy: AccessPolicy;
  stats: UdpStats;
  /** Requests per server key and per flag, every thread's (udp/key-flag-stats.ts). */
  keyStats: KeyFlagStats;
  /** UDP threads, or sockets on the main thread (udp-threads.ts). */
  udp: UdpPlane;
  /** The TCP transport on the UDP ports; null when `tcp` is off. */
  tcp: TcpServer | null;
  tcpStats: TcpStats;
  /**
   * The server keys (static and dynamic) and `allow_update_keys`, as the request handlers use them. The set is the
   * one the main thread's handler reads, changed in place when the access settings change (access/settings).
   */
  keys: KeyRing;
  /** Keys made over the admin API, and disabling keys of any source (keys/admin-keys.ts). */
  adminKeys: AdminKeys;
  allowUpdateKeys: ReadonlySet<string>;
  /** The shared rate-limit buckets (the network table exists only while `ratelimit_rate` and `ratelimit_burst` are set). */
  rateLimits: RateLimits;
  /** Rate limits, delay, forbidden/weak ids and allow_update_keys in force, and where each comes from. */
  accessSettings: AccessSettings;
  /** The audit trail's searches, purge and admin-change rows (audit/audit-log.ts). */
  audit: AuditLog;
}

export const RUNTIME = Symbol('RUNTIME');
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const ACCESS_POLICY = Symbol('ACCESS_POLICY');
export const UDP_STATS = Symbol('UDP_STATS');
export const UDP_SERVER = Symbol('UDP_SERVER');
