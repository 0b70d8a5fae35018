import { ConfigError } from './config-error.js';
import type { RedisSettings } from './redis-settings.js';

/** Where rspamd's packages expect their Redis: used until a Redis setting says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const REDIS_PORT = 6379;
const SENTINEL_PORT = 26379;

export interface HostPort {
  host: string;
  port: number;
}

/** One Redis server: a `redis://` / `rediss://` URL or a unix socket path, as ioredis takes it. */
export type RedisServer = string;

/** How fuzzyd finds its primary: one named server, or a Sentinel-monitored master. */
export type RedisTopology =
  | { kind: 'server'; primary: RedisServer; replicas: RedisServer[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; masterName: string; sentinelPassword: string | null; watchSeconds: number };

/**
 * The one Redis every use of Redis in fuzzyd connects to (the fuzzy store and the neural data), with the options both
 * share. Secrets live only in `password` / `sentinelPassword` (and in a URL's userinfo); `url` is the address as
 * logs and /health show it, through redactRedisUrl.
 */
export interface RedisAddress {
  url: string;
  /** False for the default address: Redis being absent there is a state to show, not a fault (/health). */
  configured: boolean;
  topology: RedisTopology;
  username: string | null;
  password: string | null;
  db: number | null;
  tls: boolean;
  /** rspamd's `timeout`: a command without an answer this long fails (a CHECK becomes a miss, a WRITE an error). */
  timeoutMs: number;
  /** Replicas that must hold a write (Redis WAIT) before it is acknowledged; 0 acknowledges on the primary's reply. */
  waitReplicas: number;
}

/**
 * Decides what the Redis settings connect to (docs/spec/redis.md §2): Sentinel when `sentinels` is set, else the one
 * primary of `write_servers`, `servers` or FUZZYD_REDIS_URL (in that order), with `read_servers` as replicas for reads;
 * null when FUZZYD_REDIS_URL is set empty and nothing else names a server.
 */
export function resolveRedisAddress(s: RedisSettings): RedisAddress | null {
  const common = {
    username: s.username,
    password: s.password,
    db: s.db,
    tls: s.tls,
    timeoutMs: Math.round(s.timeoutSeconds * 1000),
    waitReplicas: s.waitReplicas,
  };
  if (s.sentinels.length > 0) {
    for (const [given, key] of [
      [s.servers.length > 0 || s.writeServers.length > 0 || s.readServers.length > 0, 'FUZZYD_REDIS_SERVERS / WRITE_SERVERS / READ_SERVERS'],
      [!!s.url, 'FUZZYD_REDIS_URL'],
    ] as const) {
      if (given) throw new ConfigError(key, 'cannot be combined with FUZZYD_REDIS_SENTINELS (sentinels): Sentinel names the primary');
    }
    if (!s.sentinelMaster) {
      throw new ConfigError('FUZZYD_REDIS_SENTINEL_MASTER', 'is required with FUZZYD_REDIS_SENTINELS (file key sentinel_masters_pattern): the master name the sentinels monitor');
    }
    if (!/^[\w.-]+$/.test(s.sentinelMaster)) {
      throw new ConfigError('FUZZYD_REDIS_SENTINEL_MASTER', `'${s.sentinelMaster}' must be one master's name (letters, digits, '_', '-', '.'); rspamd's Lua patterns over several masters are not supported`);
    }
    const sentinels = s.sentinels.map((item) => parseHostPort(item, 'FUZZYD_REDIS_SENTINELS', SENTINEL_PORT));
    const topology = { kind: 'sentinel' as const, sentinels, masterName: s.sentinelMaster, sentinelPassword: s.sentinelPassword, watchSeconds: s.sentinelWatchSeconds };
    const url = `sentinel://${sentinels.map(formatHostPort).join(',')}/${s.sentinelMaster}`;
    return { url, configured: true, topology, ...common };
  }
  const [primaryText, primaryKey] = pickPrimary(s);
  if (primaryText === '') return null;
  const primary = parseRedisServer(primaryText ?? DEFAULT_REDIS_URL, primaryKey);
  const replicas = s.readServers.map((item) => parseRedisServer(item, 'FUZZYD_REDIS_READ_SERVERS'));
  const configured = primaryText !== null || replicas.length > 0;
  return { url: primary, configured, topology: { kind: 'server', primary, replicas }, ...common };
}

/** The primary's text and the setting it came from; null when none is given (the default), '' when turned off. */
function pickPrimary(s: RedisSettings): [string | null, string] {
  for (const [items, key] of [
    [s.writeServers, 'FUZZYD_REDIS_WRITE_SERVERS'],
    [s.servers, 'FUZZYD_REDIS_SERVERS'],
  ] as const) {
    if (items.length > 1) {
      // rspamd spreads writes round-robin over several write servers, which splits one hash's history between them.
      throw new ConfigError(key, `lists ${items.length} servers; fuzzyd writes to one primary (list replicas in FUZZYD_REDIS_READ_SERVERS, or use Sentinel)`);
    }
    if (items.length === 1) return [items[0], key];
  }
  if (s.url === '' && s.readServers.length > 0) {
    throw new ConfigError('FUZZYD_REDIS_READ_SERVERS', 'needs a primary for writes (FUZZYD_REDIS_URL, servers or write_servers), which is set empty');
  }
  return [s.url, 'FUZZYD_REDIS_URL'];
}

/** `redis://…` / `rediss://…` as given, `/path/to.sock` for a unix socket, `host`, `host:port` or `[v6]:port` made a URL. */
export function parseRedisServer(text: string, key: string): RedisServer {
  const trimmed = text.trim();
  if (trimmed.startsWith('/')) return trimmed;
  if (trimmed.includes('://')) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      throw new ConfigError(key, `'${redactUserinfo(trimmed)}' is not a valid URL`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new ConfigError(key, `'${parsed.protocol}' is not a Redis URL scheme (redis:// or rediss://)`);
    }
    return trimmed;
  }
  return `redis://${formatHostPort(parseHostPort(trimmed, key, REDIS_PORT))}`;
}

function parseHostPort(text: string, key: string, defaultPort: number): HostPort {
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text.trim()) ?? /^([\w.-]+)(?::(\d+))?$/.exec(text.trim());
  const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new ConfigError(key, `'${text}' is not host, host:port or [IPv6]:port`);
  }
  return { host: m[1], port };
}

export function formatHostPort(a: HostPort): string {
  return a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

function redactUserinfo(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}
