import type { Section } from './setting.js';
import { parseBool, parseDuration, parseOptionalText, parseWholeNumber, splitList } from './value-parsers.js';

/**
 * The Redis settings as written, before redis-address.ts decides what they connect to. The file keys are the options
 * rspamd's lua_redis.lua reads in a fuzzy worker's section (docs/spec/redis.md §1), so a `worker "fuzzy"` section
 * with `backend = "redis"; servers = …;` or `sentinels = …;` works unchanged.
 */
export interface RedisSettings {
  /** FUZZYD_REDIS_URL: null when not set (rspamd's usual address applies), '' to turn Redis off. */
  url: string | null;
  servers: string[];
  writeServers: string[];
  readServers: string[];
  sentinels: string[];
  sentinelMaster: string | null;
  sentinelWatchSeconds: number;
  sentinelPassword: string | null;
  username: string | null;
  password: string | null;
  db: number | null;
  tls: boolean;
  timeoutSeconds: number;
  waitReplicas: number;
}

/** Redis numbers its databases 0..15 by default; a server with `databases` raised allows more, so only a sane bound. */
const MAX_DB = 1_000_000;
/** Node's timers hold at most 2^31-1 ms. */
const MAX_TIMER_SECONDS = 2_147_483;
const list = (text: string): string[] => splitList(text);

export const REDIS_SETTINGS: Section<RedisSettings> = {
  url: { env: 'FUZZYD_REDIS_URL', file: 'redis', default: () => null, parse: (text) => text.trim() },
  servers: { env: 'FUZZYD_REDIS_SERVERS', file: 'servers', default: () => [], parse: list },
  writeServers: { env: 'FUZZYD_REDIS_WRITE_SERVERS', file: 'write_servers', default: () => [], parse: list },
  readServers: { env: 'FUZZYD_REDIS_READ_SERVERS', file: 'read_servers', default: () => [], parse: list },
  sentinels: { env: 'FUZZYD_REDIS_SENTINELS', file: 'sentinels', default: () => [], parse: list },
  // rspamd's option is a Lua pattern over the names Sentinel knows; fuzzyd follows one master, named exactly.
  sentinelMaster: { env: 'FUZZYD_REDIS_SENTINEL_MASTER', file: 'sentinel_masters_pattern', default: () => null, parse: parseOptionalText },
  sentinelWatchSeconds: {
    env: 'FUZZYD_REDIS_SENTINEL_WATCH_TIME',
    file: 'sentinel_watch_time',
    default: '60s', // lua_redis.lua's default (add_redis_sentinels)
    parse: (text, key) => parseDuration(text, key, 0, MAX_TIMER_SECONDS),
  },
  sentinelPassword: { env: 'FUZZYD_REDIS_SENTINEL_PASSWORD', file: 'sentinel_password', default: () => null, parse: parseOptionalText },
  username: { env: 'FUZZYD_REDIS_USERNAME', file: 'username', default: () => null, parse: parseOptionalText },
  password: { env: 'FUZZYD_REDIS_PASSWORD', file: 'password', default: () => null, parse: parseOptionalText },
  db: {
    env: 'FUZZYD_REDIS_DB',
    file: 'db',
    fileAliases: ['dbname'],
    default: () => null,
    parse: (text, key) => (text.trim() === '' ? null : parseWholeNumber(text, key, 0, MAX_DB)),
  },
  tls: { env: 'FUZZYD_REDIS_TLS', file: 'ssl', default: 'false', parse: (text, key) => parseBool(text, key, false) },
  timeoutSeconds: {
    env: 'FUZZYD_REDIS_TIMEOUT',
    file: 'timeout',
    default: '1s', // lua_redis.lua's default_timeout, which the fuzzy backend reads back (fuzzy_backend_redis.c)
    parse: (text, key) => parseDuration(text, key, 0, MAX_TIMER_SECONDS),
  },
  waitReplicas: {
    env: 'FUZZYD_REDIS_WAIT_REPLICAS',
    file: 'wait_replicas',
    default: '0',
    parse: (text, key) => parseWholeNumber(text, key, 0, 64),
  },
};
