import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseDurationSeconds } from './duration.js';
import { type ListenAddress, parseListenAddress } from './listen-address.js';
import { type NetworkEntry, parseNetworkList } from '../udp/network-list.js';
import { REPLY_CODE_SETS, type ReplyCodeSet } from '../udp/reply-codes.js';
import { DEFAULT_QUEUE_LIMITS } from '../fuzzy/sqlite/group-commit-queue.js';

export type Durability = 'full' | 'normal';

export interface KeypairConfig {
  privkey: string;
  pubkey?: string;
}

/** Every knob of fuzzyd: one name, one default, one validation (README "Configuration"). */
export interface AppConfig {
  udp: ListenAddress[];
  /**
   * UDP threads, each with a socket on the UDP ports, answering CHECKs from the shared index (SQLite backend); 0 keeps
   * UDP on the main thread. Default: one per core.
   */
  udpThreads: number;
  http: ListenAddress;
  /** `sqlite` (embedded, the default) or `redis` (rspamd's Redis layout, shared by many instances). */
  backend: 'sqlite' | 'redis';
  dbPath: string;
  allowUpdate: NetworkEntry[];
  blocked: NetworkEntry[];
  expireSeconds: number;
  skipHashesFile: string | null;
  redisUrl: string | null;
  /** Key prefix of the Redis fuzzy backend (rspamd's `prefix`). */
  redisPrefix: string;
  keypairs: KeypairConfig[];
  encryptedOnly: boolean;
  readOnly: boolean;
  /** Which refusal codes clients get: `auto` (4.x clients the 3.10 codes, 3.x clients 3.4's), `3.4` or `3.10`. */
  replyCodes: ReplyCodeSet;
  /** Updates waiting for the next SQLite group commit at most; a flood beyond it is refused (503) instead of queued. */
  writeQueueMax: number;
  /** `full` fsyncs every group commit (survives power loss); `normal` survives a process kill only. */
  durability: Durability;
  adminToken: string | null;
  logLevel: string;
  /** rspamd ≥ 3.14's TCP transport on every UDP bind address, same port. */
  tcp: boolean;
  /** rspamd's `tcp_timeout`: an idle TCP connection is closed this long after its last received bytes. */
  tcpTimeoutSeconds: number;
  /** Open TCP connections at most; more are refused at accept. */
  tcpMaxConnections: number;
}

/** rspamd's fuzzy worker default when `expire` is not set (spec/fuzzy-storage.md §1.2). */
export const DEFAULT_EXPIRE = '2d';

/** rspamd's fuzzy worker default (`DEFAULT_TCP_TIMEOUT` in src/fuzzy_storage.c). */
export const DEFAULT_TCP_TIMEOUT = '5s';
/** Node's timers hold at most 2^31-1 ms (about 24.8 days); longer ones fire at once. */
const MAX_TIMER_SECONDS = 2_147_483;

type Env = Record<string, string | undefined>;

/**
 * Reads the configuration from `FUZZYD_*` variables; `FUZZYD_CONFIG` may name a JSON file whose keys use rspamd's
 * option names (`allow_update`, `blocked`, `expire`, `skip_hashes`, `keypair`, `encrypted_only`, `read_only`) and
 * are overridden by the environment.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const file = readConfigFile(env.FUZZYD_CONFIG);
  const pick = (envName: string, fileName: string): string | undefined => env[envName] ?? listText(file[fileName]);
  const keypairs = parseKeypairs(env.FUZZYD_KEYPAIR, file.keypair);

  const config: AppConfig = {
    udp: (pick('FUZZYD_UDP', 'bind_socket') ?? '0.0.0.0:11335')
      .split(',')
      .filter((s) => s.trim())
      .map((s) => parseListenAddress(s, 'FUZZYD_UDP')),
    udpThreads: parseCount(pick('FUZZYD_UDP_THREADS', 'udp_threads') ?? String(availableParallelism()), 'FUZZYD_UDP_THREADS'),
    http: parseListenAddress(pick('FUZZYD_HTTP', 'http') ?? '0.0.0.0:11336', 'FUZZYD_HTTP'),
    backend: parseBackend(pick('FUZZYD_BACKEND', 'backend') ?? 'sqlite'),
    dbPath: pick('FUZZYD_DB', 'database') ?? './data/fuzzy.db',
    allowUpdate: parseNetworkList(pick('FUZZYD_ALLOW_UPDATE', 'allow_update') ?? '127.0.0.1,::1', 'FUZZYD_ALLOW_UPDATE'),
    blocked: parseNetworkList(pick('FUZZYD_BLOCKED', 'blocked'), 'FUZZYD_BLOCKED'),
    expireSeconds: parseExpire(pick('FUZZYD_EXPIRE', 'expire') ?? DEFAULT_EXPIRE),
    skipHashesFile: pick('FUZZYD_SKIP_HASHES', 'skip_hashes') ?? null,
    redisUrl: pick('FUZZYD_REDIS_URL', 'redis') ?? null,
    redisPrefix: pick('FUZZYD_REDIS_PREFIX', 'prefix') ?? 'fuzzy',
    keypairs,
    encryptedOnly: parseBool(pick('FUZZYD_ENCRYPTED_ONLY', 'encrypted_only'), 'FUZZYD_ENCRYPTED_ONLY'),
    readOnly: parseBool(pick('FUZZYD_READ_ONLY', 'read_only'), 'FUZZYD_READ_ONLY'),
    replyCodes: parseReplyCodes(pick('FUZZYD_REPLY_CODES', 'reply_codes') ?? 'auto'),
    durability: parseDurability(pick('FUZZYD_DURABILITY', 'durability') ?? 'full'),
    writeQueueMax: parsePositiveInt(pick('FUZZYD_WRITE_QUEUE_MAX', 'write_queue_max') ?? String(DEFAULT_QUEUE_LIMITS.maxDepth), 'FUZZYD_WRITE_QUEUE_MAX'),
    adminToken: env.FUZZYD_ADMIN_TOKEN ?? null,
    logLevel: env.FUZZYD_LOG_LEVEL ?? 'info',
    // parseBool reads an empty value as false; for this default-on knob empty means unset.
    tcp: parseBool(pick('FUZZYD_TCP', 'tcp') || 'true', 'FUZZYD_TCP'),
    tcpTimeoutSeconds: parseTcpTimeout(pick('FUZZYD_TCP_TIMEOUT', 'tcp_timeout') ?? DEFAULT_TCP_TIMEOUT),
    tcpMaxConnections: parsePositiveInt(pick('FUZZYD_TCP_MAX_CONNECTIONS', 'tcp_max_connections') ?? '1024', 'FUZZYD_TCP_MAX_CONNECTIONS'),
  };
  if (config.backend === 'redis' && !config.redisUrl) throw new Error('FUZZYD_BACKEND=redis needs FUZZYD_REDIS_URL');
  return config;
}

function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  if (!existsSync(path)) throw new Error(`FUZZYD_CONFIG: file '${path}' does not exist`);
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new Error(`FUZZYD_CONFIG: '${path}' is not valid: ${(err as Error).message}`);
  }
}

function listText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

function parseBool(text: string | undefined, name: string): boolean {
  if (text === undefined || text === '') return false;
  if (/^(1|true|yes|on)$/i.test(text)) return true;
  if (/^(0|false|no|off)$/i.test(text)) return false;
  throw new Error(`${name}: '${text}' is not a boolean (true/false)`);
}

/**
 * Hashes die `expire` after their last write, and the purge deletes them for good: an expire of 0, or a number meant
 * as days but read as seconds, would empty the store within a minute. Shorter than this is refused.
 */
export const MIN_EXPIRE_SECONDS = 3600;

function parseExpire(text: string): number {
  const seconds = parseDurationSeconds(text, 'FUZZYD_EXPIRE');
  if (!(seconds >= MIN_EXPIRE_SECONDS)) {
    throw new Error(
      `FUZZYD_EXPIRE (expire): '${text}' is ${seconds} s; hashes expiring that soon would be purged from the store, ` +
        `so at least ${MIN_EXPIRE_SECONDS} s (1h) is required (rspamd's default is 2d)`,
    );
  }
  return seconds;
}

function parseTcpTimeout(text: string): number {
  const seconds = parseDurationSeconds(text, 'FUZZYD_TCP_TIMEOUT');
  if (!(seconds > 0) || seconds > MAX_TIMER_SECONDS) {
    throw new Error(`FUZZYD_TCP_TIMEOUT: '${text}' must be greater than 0 and at most ${MAX_TIMER_SECONDS}s`);
  }
  return seconds;
}

/** A thread count: 0 to 64 (more threads than that only contend for the same sockets). */
function parseCount(text: string, name: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value > 64) throw new Error(`${name}: '${text}' is not a whole number from 0 to 64`);
  return value;
}

function parsePositiveInt(text: string, name: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name}: '${text}' is not a positive integer`);
  }
  return value;
}

function parseReplyCodes(text: string): ReplyCodeSet {
  if ((REPLY_CODE_SETS as readonly string[]).includes(text)) return text as ReplyCodeSet;
  throw new Error(`FUZZYD_REPLY_CODES: '${text}' must be one of ${REPLY_CODE_SETS.join(', ')}`);
}

function parseBackend(text: string): 'sqlite' | 'redis' {
  if (text === 'sqlite' || text === 'redis') return text;
  throw new Error(`FUZZYD_BACKEND: '${text}' must be 'sqlite' or 'redis'`);
}

function parseDurability(text: string): Durability {
  if (text === 'full' || text === 'normal') return text;
  throw new Error(`FUZZYD_DURABILITY: '${text}' must be 'full' or 'normal'`);
}

/** `FUZZYD_KEYPAIR` is `privkey[:pubkey]` entries separated by commas; the last one answers unknown key ids. */
function parseKeypairs(envText: string | undefined, fileValue: unknown): KeypairConfig[] {
  if (envText) {
    return envText
      .split(',')
      .filter((s) => s.trim())
      .map((s) => {
        const [privkey, pubkey] = s.trim().split(':');
        return { privkey, pubkey };
      });
  }
  if (fileValue === undefined) return [];
  const list = Array.isArray(fileValue) ? fileValue : [fileValue];
  return list.map((kp, i) => {
    const k = kp as Partial<KeypairConfig>;
    if (typeof k?.privkey !== 'string') throw new Error(`FUZZYD_CONFIG: keypair[${i}].privkey must be a string`);
    return { privkey: k.privkey, pubkey: typeof k.pubkey === 'string' ? k.pubkey : undefined };
  });
}
