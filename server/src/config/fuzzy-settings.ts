import { availableParallelism } from 'node:os';
import { DEFAULT_QUEUE_LIMITS } from '../fuzzy/sqlite/writer/group-commit-queue.js';
import { parseNetworkList } from '../udp/network-list.js';
import { REPLY_CODE_SETS } from '../udp/reply-codes.js';
import type { AppConfig } from './app-config.js';
import { ConfigError } from './config-error.js';
import { parseDurationSeconds } from './duration.js';
import { parseKeypairList, parseKeypairObjects } from './keypairs.js';
import { parseAllowUpdateKeys } from '../keys/allow-update-keys.js';
import { readDynamicKeysSetting } from '../keys/dynamic-keys-map.js';
import { parseListenAddress } from './listen-address.js';
import type { Section } from './setting.js';
import { parseBool, parseChoice, parseDuration, parseOptionalText, parseWholeNumber, splitList } from './value-parsers.js';

/**
 * Hashes die `expire` after their last write, and the purge deletes them for good: an expire of 0, or a number meant
 * as days but read as seconds, would empty the store within a minute. Shorter than this is refused.
 */
export const MIN_EXPIRE_SECONDS = 3600;
/** Where rspamd's packages expect their Redis: used until FUZZYD_REDIS_URL says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** Node's timers hold at most 2^31-1 ms (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;
/** More UDP threads than this only contend for the same sockets. */
const MAX_UDP_THREADS = 64;
/** Network buckets at most (72 MB of shared memory). */
const MAX_RATELIMIT_BUCKETS = 1_000_000;
/** pino's levels, and `silent`: anything else makes pino throw at start without naming the variable. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The fuzzy storage, its transports, access and admin API: every setting but the neural module's. */
export const FUZZY_SETTINGS: Section<Omit<AppConfig, 'neural' | 'sources'>> = {
  udp: {
    env: 'FUZZYD_UDP',
    file: 'bind_socket',
    default: '0.0.0.0:11335',
    parse: (text, key) => splitList(text).map((item) => parseListenAddress(item, key)),
  },
  udpThreads: {
    env: 'FUZZYD_UDP_THREADS',
    file: 'udp_threads',
    default: () => Math.min(availableParallelism(), MAX_UDP_THREADS),
    parse: (text, key) => parseWholeNumber(text, key, 0, MAX_UDP_THREADS),
  },
  tcp: { env: 'FUZZYD_TCP', file: 'tcp', default: 'true', parse: (text, key) => parseBool(text, key, true) },
  tcpTimeoutSeconds: {
    env: 'FUZZYD_TCP_TIMEOUT',
    file: 'tcp_timeout',
    default: '5s', // rspamd's DEFAULT_TCP_TIMEOUT (src/fuzzy_storage.c)
    parse: (text, key) => parseDuration(text, key, 0, MAX_TIMER_SECONDS),
  },
  tcpMaxConnections: {
    env: 'FUZZYD_TCP_MAX_CONNECTIONS',
    file: 'tcp_max_connections',
    default: '1024',
    parse: (text, key) => parseWholeNumber(text, key, 1),
  },
  http: { env: 'FUZZYD_HTTP', file: 'http', default: '0.0.0.0:11336', parse: parseListenAddress },
  backend: {
    env: 'FUZZYD_BACKEND',
    file: 'backend',
    default: 'sqlite',
    parse: (text, key) => parseChoice(text, key, ['sqlite', 'redis'] as const),
  },
  dbPath: { env: 'FUZZYD_DB', file: 'database', default: './data/fuzzy.db', parse: (text) => text },
  redisPrefix: { env: 'FUZZYD_REDIS_PREFIX', file: 'prefix', default: 'fuzzy', parse: (text) => text },
  // rspamd's usual deployment has a Redis here; an empty value turns Redis off (no neural pages, no Redis store).
  redis: {
    env: 'FUZZYD_REDIS_URL',
    file: 'redis',
    default: () => ({ url: DEFAULT_REDIS_URL, configured: false }),
    parse: (text) => (text.trim() === '' ? null : { url: text.trim(), configured: true }),
  },
  allowUpdate: { env: 'FUZZYD_ALLOW_UPDATE', file: 'allow_update', default: '127.0.0.1,::1', parse: parseNetworkList },
  allowUpdateKeys: {
    env: 'FUZZYD_ALLOW_UPDATE_KEYS',
    file: 'allow_update_keys',
    default: () => ({ ids: [], literal: [], files: [] }),
    parse: parseAllowUpdateKeys,
  },
  blocked: { env: 'FUZZYD_BLOCKED', file: 'blocked', default: () => [], parse: parseNetworkList },
  expireSeconds: {
    env: 'FUZZYD_EXPIRE',
    file: 'expire',
    default: '2d', // rspamd's fuzzy worker default (spec/fuzzy-storage.md §1.2)
    parse: parseExpire,
  },
  skipHashesFile: { env: 'FUZZYD_SKIP_HASHES', file: 'skip_hashes', default: () => null, parse: parseOptionalText },
  keypairs: {
    env: 'FUZZYD_KEYPAIR',
    file: 'keypair',
    default: () => [],
    parse: parseKeypairList,
    parseObject: parseKeypairObjects,
    // As before the single loader: an empty FUZZYD_KEYPAIR leaves the file's keypairs in force.
    blankEnvIsUnset: true,
  },
  dynamicKeysMap: {
    env: 'FUZZYD_DYNAMIC_KEYS_MAP',
    file: 'dynamic_keys_map',
    default: () => null,
    // A file is read now, so one that cannot be used stops the start; a URL is first fetched when fuzzyd starts.
    parse: (text, key) => (text.trim() === '' ? null : readDynamicKeysSetting(text, key)),
  },
  mapWatchIntervalSeconds: {
    env: 'FUZZYD_MAP_WATCH_INTERVAL',
    file: 'map_watch_interval',
    default: '5min', // rspamd's DEFAULT_MAP_TIMEOUT (src/libserver/cfg_utils.cxx:88)
    parse: (text, key) => parseDuration(text, key, 1, MAX_TIMER_SECONDS),
  },
  forbiddenIds: { env: 'FUZZYD_FORBIDDEN_IDS', file: 'forbidden_ids', default: () => [], parse: parseFlagIds },
  weakIds: { env: 'FUZZYD_WEAK_IDS', file: 'weak_ids', default: () => [], parse: parseFlagIds },
  delaySeconds: {
    env: 'FUZZYD_DELAY',
    file: 'delay',
    default: () => null,
    parse: (text, key) => (text.trim() === '' ? null : parseDuration(text, key, 0)),
  },
  delayWhitelist: { env: 'FUZZYD_DELAY_WHITELIST', file: 'delay_whitelist', default: () => [], parse: parseNetworkList },
  encryptedOnly: {
    env: 'FUZZYD_ENCRYPTED_ONLY',
    file: 'encrypted_only',
    default: 'false',
    parse: (text, key) => parseBool(text, key, false),
  },
  replyCodes: {
    env: 'FUZZYD_REPLY_CODES',
    file: 'reply_codes',
    default: 'auto',
    parse: (text, key) => parseChoice(text, key, REPLY_CODE_SETS),
  },
  readOnly: {
    env: 'FUZZYD_READ_ONLY',
    file: 'read_only',
    default: 'false',
    parse: (text, key) => parseBool(text, key, false),
  },
  // Rate limits (docs/spec/access-controls.md §4.1; ratelimit/rate-limits.ts): on only when rate and burst are both set.
  ratelimitRate: {
    env: 'FUZZYD_RATELIMIT_RATE',
    file: 'ratelimit_rate',
    default: () => null,
    parse: (text, key) => parseOptionalRate(text, key),
  },
  ratelimitBurst: {
    env: 'FUZZYD_RATELIMIT_BURST',
    file: 'ratelimit_burst',
    default: () => null,
    parse: (text, key) => parseOptionalRate(text, key),
  },
  ratelimitNetworkMask: {
    env: 'FUZZYD_RATELIMIT_NETWORK_MASK',
    file: 'ratelimit_network_mask',
    default: '24',
    parse: (text, key) => parseWholeNumber(text, key, 0, 128),
  },
  ratelimitBucketTtlSeconds: {
    env: 'FUZZYD_RATELIMIT_BUCKET_TTL',
    file: 'ratelimit_bucket_ttl',
    default: '1h',
    parse: (text, key) => parseDuration(text, key, 0),
  },
  ratelimitMaxBuckets: {
    env: 'FUZZYD_RATELIMIT_MAX_BUCKETS',
    file: 'ratelimit_max_buckets',
    default: '2000',
    // Bounded: the table is allocated whole at start, 72 bytes a bucket.
    parse: (text, key) => parseWholeNumber(text, key, 1, MAX_RATELIMIT_BUCKETS),
  },
  ratelimitWhitelist: { env: 'FUZZYD_RATELIMIT_WHITELIST', file: 'ratelimit_whitelist', default: () => [], parse: parseNetworkList },
  ratelimitLogOnly: {
    env: 'FUZZYD_RATELIMIT_LOG_ONLY',
    file: 'ratelimit_log_only',
    default: 'false',
    parse: (text, key) => parseBool(text, key, false),
  },
  ratelimitExemptLocal: {
    env: 'FUZZYD_RATELIMIT_EXEMPT_LOCAL',
    file: 'ratelimit_exempt_local',
    default: 'true',
    parse: (text, key) => parseBool(text, key, true),
  },
  writeQueueMax: {
    env: 'FUZZYD_WRITE_QUEUE_MAX',
    file: 'write_queue_max',
    default: String(DEFAULT_QUEUE_LIMITS.maxDepth),
    parse: (text, key) => parseWholeNumber(text, key, 1),
  },
  durability: {
    env: 'FUZZYD_DURABILITY',
    file: 'durability',
    default: 'full',
    parse: (text, key) => parseChoice(text, key, ['full', 'normal'] as const),
  },
  auditRetentionSeconds: {
    env: 'FUZZYD_AUDIT_RETENTION',
    file: 'audit_retention',
    default: '90d',
    parse: (text, key) => parseDuration(text, key, 3600),
  },
  auditMaxRows: {
    env: 'FUZZYD_AUDIT_MAX_ROWS',
    file: 'audit_max_rows',
    default: '1000000',
    parse: (text, key) => parseWholeNumber(text, key, 1000, 100_000_000),
  },
  rspamdControllerUrl: { env: 'FUZZYD_RSPAMD_CONTROLLER_URL', file: 'rspamd_controller_url', default: () => null, parse: parseControllerUrl },
  rspamdControllerPassword: {
    env: 'FUZZYD_RSPAMD_CONTROLLER_PASSWORD',
    file: 'rspamd_controller_password',
    default: () => null,
    parse: parseOptionalText,
  },
  adminToken: { env: 'FUZZYD_ADMIN_TOKEN', default: () => null, parse: parseOptionalText },
  logLevel: { env: 'FUZZYD_LOG_LEVEL', default: 'info', parse: (text, key) => parseChoice(text, key, LOG_LEVELS) },
};

function parseExpire(text: string, key: string): number {
  const seconds = parseDurationSeconds(text, key);
  if (!(seconds >= MIN_EXPIRE_SECONDS)) {
    throw new ConfigError(
      key,
      `'${text}' is ${seconds} s; hashes expiring that soon would be purged from the store, ` +
        `so at least ${MIN_EXPIRE_SECONDS} s (1h) is required (rspamd's default is 2d)`,
    );
  }
  return seconds;
}

/** rspamd's `forbidden_ids` / `weak_ids`: flag numbers, comma-separated (a list in the file), each 0 to 2^32 − 1. */
function parseFlagIds(text: string, key: string): number[] {
  return splitList(text).map((item) => parseWholeNumber(item, key, 0, 0xffff_ffff));
}

/** A non-negative number (rspamd parses a double); empty means not set, i.e. no rate limit. */
function parseOptionalRate(text: string, key: string): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(text) || !Number.isFinite(value)) {
    throw new ConfigError(key, `'${text}' is not a non-negative number`);
  }
  return value;
}

/** An http(s) URL of an rspamd controller (`http://127.0.0.1:11334`); empty: message lookup is off. */
function parseControllerUrl(text: string, key: string): string | null {
  if (text.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConfigError(key, `'${text}' is not a URL (e.g. http://127.0.0.1:11334)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(key, `'${text}' must be an http:// or https:// URL`);
  return url.href.replace(/\/$/, '');
}
