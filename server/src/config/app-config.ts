import type { AllowUpdateKeysConfig } from '../keys/allow-update-keys.js';
import type { KeyConfig } from '../keys/server-key.js';
import type { DynamicKeysSetting } from '../keys/dynamic-keys-map.js';
import type { NeuralSettings } from '../neural/neural-options.js';
import type { NetworkEntry } from '../udp/network-list.js';
import type { ReplyCodeSet } from '../udp/reply-codes.js';
import { ConfigError } from './config-error.js';
import { CONFIG_FILE_ENV, readConfigFile } from './config-file.js';
import { FUZZY_SETTINGS } from './fuzzy-settings.js';
import type { ListenAddress } from './listen-address.js';
import { NEURAL_SETTINGS } from './neural-settings.js';
import { type Env, readSection, readSources, type Setting, type SettingSource } from './setting.js';

export type Durability = 'full' | 'normal';

/**
 * Every knob of fuzzyd, read once at start by loadConfig and handed to the HTTP app as CONFIG (runtime.ts). Each field
 * is one setting of fuzzy-settings.ts or neural-settings.ts, listed in the README's Configuration table.
 */
/** A Redis address, and whether an admin gave it (FUZZYD_REDIS_URL) or it is the default rspamd's packages use. */
export interface RedisAddress {
  url: string;
  /** False for the default address: Redis being absent there is a state to show, not a fault (/health). */
  configured: boolean;
}

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
  /** rspamd's `allow_update_keys`: ids of server keys whose clients may update (when `allow_update` is empty). */
  allowUpdateKeys: AllowUpdateKeysConfig;
  blocked: NetworkEntry[];
  expireSeconds: number;
  skipHashesFile: string | null;
  /** The Redis of the neural data (and of the Redis store): null when FUZZYD_REDIS_URL is set empty. */
  redis: RedisAddress | null;
  /** Key prefix of the Redis fuzzy backend (rspamd's `prefix`). */
  redisPrefix: string;
  /** Static server keys, in order: the last one answers unknown key ids. */
  keypairs: KeyConfig[];
  /** rspamd's `dynamic_keys_map`: the file or URL, the setting it came from, and the keys a file held at start. */
  dynamicKeysMap: DynamicKeysSetting | null;
  /** rspamd's `map_watch_interval`: how often an HTTP map is polled, seconds. */
  mapWatchIntervalSeconds: number;
  /** rspamd's `forbidden_ids`: flags never returned to clients (a key's own list replaces it). */
  forbiddenIds: number[];
  /** rspamd's `weak_ids`: flags whose WRITEs never displace another flag (update-rule.ts). */
  weakIds: number[];
  /** rspamd's `delay`: hashes younger than about 1 to 1.5 × this are not reported; null when off. */
  delaySeconds: number | null;
  /** rspamd's `delay_whitelist`: sources that see young hashes anyway. */
  delayWhitelist: NetworkEntry[];
  encryptedOnly: boolean;
  readOnly: boolean;
  /** Which refusal codes clients get: `auto` (4.x clients the 3.10 codes, 3.x clients 3.4's), `3.4` or `3.10`. */
  replyCodes: ReplyCodeSet;
  /** rspamd's rate limits (§4.1 of docs/spec/access-controls.md): requests per second leaked, null when unset. */
  ratelimitRate: number | null;
  /** Bucket size; rate limiting is on only when both rate and burst are set. */
  ratelimitBurst: number | null;
  /** IPv4 prefix of a bucket's network; IPv6 uses min(max(4·mask, 64), 128). */
  ratelimitNetworkMask: number;
  /** A bucket (and so a ban) lasts this long from its creation. */
  ratelimitBucketTtlSeconds: number;
  ratelimitMaxBuckets: number;
  ratelimitWhitelist: NetworkEntry[];
  /** Count and log what would be refused, refuse nothing. */
  ratelimitLogOnly: boolean;
  /** rspamd ≥ 3.14 never limits loopback and link-local sources; false limits them as 3.4–3.13 do. */
  ratelimitExemptLocal: boolean;
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
  /** Audit rows older than this are purged (audit/audit-log.ts). */
  auditRetentionSeconds: number;
  /** Audit rows kept at most; the oldest beyond it are purged. */
  auditMaxRows: number;
  /** An rspamd (>= 3.6) controller whose /plugins/fuzzy/hashes computes a message's digests for lookup; null: off. */
  rspamdControllerUrl: string | null;
  /** Its controller password (sent as the `Password` header); null: none. Never logged or returned. */
  rspamdControllerPassword: string | null;
  /** The neural module (used when `redis` is set, checked at start either way). */
  neural: NeuralSettings;
  /** Where each fuzzy setting's value came from (loadConfig fills it; the admin API shows it). */
  sources?: Readonly<Partial<Record<keyof AppConfig, SettingSource>>>;
}

/** Every setting fuzzyd reads, in the order of the README table. */
export const ALL_SETTINGS: readonly Setting<unknown>[] = [
  ...Object.values<Setting<unknown>>(FUZZY_SETTINGS),
  ...Object.values<Setting<unknown>>(NEURAL_SETTINGS),
];

/** The keys a FUZZYD_CONFIG file may hold; any other is refused at start. */
export const FILE_KEYS: ReadonlySet<string> = new Set(ALL_SETTINGS.flatMap((s) => (s.file ? [s.file] : [])));

/**
 * The configuration, from `FUZZYD_*` variables and the JSON file FUZZYD_CONFIG names (rspamd's option names); a
 * variable that is set wins over the file. Throws a ConfigError naming the variable or file key of the first value
 * it cannot use. main.ts calls it once at start with process.env; tests pass their own `env`.
 */
export function loadConfig(env: Env): AppConfig {
  const file = readConfigFile(env[CONFIG_FILE_ENV], FILE_KEYS);
  const config: AppConfig = {
    ...readSection(FUZZY_SETTINGS, env, file),
    neural: readSection(NEURAL_SETTINGS, env, file),
    sources: readSources(FUZZY_SETTINGS, env, file),
  };
  if (config.backend === 'redis' && !config.redis) {
    throw new ConfigError('FUZZYD_BACKEND', 'redis needs FUZZYD_REDIS_URL (file key: redis), which is set empty');
  }
  return config;
}
