/**
 * The fuzzy storage an interop suite talks to. By default it is fuzzyd. With FUZZYD_INTEROP_TARGET=rspamd the same
 * suites run against the fuzzy worker of the scanner's own rspamd generation instead: that proves the assertions
 * describe real rspamd behaviour rather than fuzzyd's idea of it.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { startRspamdFuzzyWorker } from '../helpers/rspamd-fuzzy-worker.js';
import { HOST_RSPAMD, type RspamdGeneration } from '../helpers/rspamd-generation.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';

export type InteropTarget = 'fuzzyd' | 'rspamd';

export function interopTarget(): InteropTarget {
  return process.env.FUZZYD_INTEROP_TARGET === 'rspamd' ? 'rspamd' : 'fuzzyd';
}

export interface Keypair {
  pubkey: string;
  privkey: string;
}

export interface StorageUnderTest {
  target: InteropTarget;
  backend: 'sqlite' | 'redis';
  udpPort: number;
  /** fuzzyd's HTTP port (metrics), when the target is fuzzyd. */
  httpPort: number | null;
  /** The SQLite file it serves. */
  dbPath: string;
  /** rspamd's log, when the target is rspamd's own worker. */
  logPath: string | null;
  /**
   * Makes acknowledged updates visible. fuzzyd commits before it acks, so this is a no-op there; rspamd queues them
   * until a flush, and its own functional tests force one with `fuzzy_sync` after every learn (fuzzy-notes.md §1).
   */
  settle(): Promise<void>;
  /** Stops it; the database survives when the caller chose `dbPath`. */
  stop(): Promise<void>;
}

export interface StorageOptions {
  /** The rspamd generation whose own worker stands in with FUZZYD_INTEROP_TARGET=rspamd; the host's by default. */
  generation?: RspamdGeneration;
  /** Where the storage keeps hashes: a SQLite file (default) or a private Redis in rspamd's layout. */
  backend?: 'sqlite' | 'redis';
  /** fuzzyd's FUZZYD_REPLY_CODES (rspamd's own worker answers with its generation's codes). */
  replyCodes?: 'auto' | '3.4' | '3.10';
  /** Reuse this UDP port (a restarted storage behind the same scanner rule). */
  udpPort?: number;
  /** Who may write; default loopback. */
  allowUpdate?: string[];
  /** Serve this SQLite file; default a fresh one in a temp dir that stop() deletes. */
  dbPath?: string;
  keypair?: Keypair;
  encryptedOnly?: boolean;
  /** rspamd's `dynamic_keys_map`: a file both storages read (readable by rspamd's `_rspamd` user). */
  dynamicKeysMap?: string;
  /** rspamd's `allow_update_keys`, as a map file of key ids (both storages read the same file). */
  allowUpdateKeysFile?: string;
  /** The UDP bind host (default 127.0.0.1), e.g. 0.0.0.0 for scanners on a non-loopback address (both storages). */
  bindHost?: string;
  /** rspamd's worker `forbidden_ids`: flags never returned (both storages). */
  forbiddenIds?: number[];
  /** rspamd's `weak_ids`: flags whose learns never displace another (both storages). */
  weakIds?: number[];
  /** rspamd's `delay` (time syntax, e.g. `6s`) and `delay_whitelist` (both storages). */
  delay?: string;
  delayWhitelist?: string[];
  /** fuzzyd only: more FUZZYD_* settings (rate limits). */
  fuzzydEnv?: Record<string, string>;
}

export async function startStorageUnderTest(opts: StorageOptions = {}): Promise<StorageUnderTest> {
  const udpPort = opts.udpPort ?? (await freeUdpPort());
  const allowUpdate = opts.allowUpdate ?? ['127.0.0.1', '::1'];
  const backend = opts.backend ?? 'sqlite';
  const redis: TestRedis | null = backend === 'redis' ? await startRedisServer() : null;
  const stopRedis = async (): Promise<void> => {
    await redis?.stop();
  };
  if (interopTarget() === 'rspamd') {
    const extra = [
      opts.keypair ? `keypair { pubkey = "${opts.keypair.pubkey}"; privkey = "${opts.keypair.privkey}"; }` : '',
      opts.encryptedOnly ? 'encrypted_only = true;' : '',
      opts.dynamicKeysMap ? `dynamic_keys_map = "${opts.dynamicKeysMap}";` : '',
      opts.allowUpdateKeysFile ? `allow_update_keys = "${opts.allowUpdateKeysFile}";` : '',
      opts.forbiddenIds ? `forbidden_ids = [${opts.forbiddenIds.join(', ')}];` : '',
      opts.weakIds ? `weak_ids = [${opts.weakIds.join(', ')}];` : '',
      opts.delay ? `delay = ${opts.delay};` : '',
      opts.delayWhitelist ? `delay_whitelist = [${opts.delayWhitelist.map((ip) => `"${ip}"`).join(', ')}];` : '',
    ].join('\n');
    const worker = await startRspamdFuzzyWorker({
      generation: opts.generation ?? HOST_RSPAMD,
      port: udpPort,
      host: opts.bindHost,
      backend,
      redisUrl: redis?.url,
      dbPath: opts.dbPath,
      sync: '60s',
      allowUpdate,
      expire: '90d',
      extraWorkerConfig: extra,
    });
    return {
      target: 'rspamd',
      backend,
      udpPort,
      httpPort: null,
      dbPath: worker.dbPath ?? '',
      logPath: worker.logPath,
      settle: () => worker.sync(),
      stop: async () => {
        await worker.remove();
        await stopRedis();
      },
    };
  }

  const { startFuzzyd } = await import('../helpers/fuzzyd-process.js');
  const ownDir = opts.dbPath ? null : await mkdtemp(join(tmpdir(), 'fuzzyd-interop-'));
  const dbPath = opts.dbPath ?? join(ownDir ?? '', 'fuzzy.db');
  const env: Record<string, string> = {
    FUZZYD_UDP: `${opts.bindHost ?? '127.0.0.1'}:${udpPort}`,
    FUZZYD_HTTP: `127.0.0.1:${await freeTcpPort()}`,
    FUZZYD_DB: dbPath,
    FUZZYD_ALLOW_UPDATE: allowUpdate.join(','),
    FUZZYD_EXPIRE: '90d',
  };
  if (redis) Object.assign(env, { FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: redis.url });
  if (opts.keypair) env.FUZZYD_KEYPAIR = `${opts.keypair.privkey}:${opts.keypair.pubkey}`;
  if (opts.encryptedOnly) env.FUZZYD_ENCRYPTED_ONLY = 'true';
  if (opts.dynamicKeysMap) env.FUZZYD_DYNAMIC_KEYS_MAP = opts.dynamicKeysMap;
  if (opts.allowUpdateKeysFile) env.FUZZYD_ALLOW_UPDATE_KEYS = opts.allowUpdateKeysFile;
  if (opts.replyCodes) env.FUZZYD_REPLY_CODES = opts.replyCodes;
  if (opts.forbiddenIds) env.FUZZYD_FORBIDDEN_IDS = opts.forbiddenIds.join(',');
  if (opts.weakIds) env.FUZZYD_WEAK_IDS = opts.weakIds.join(',');
  if (opts.delay) env.FUZZYD_DELAY = opts.delay;
  if (opts.delayWhitelist) env.FUZZYD_DELAY_WHITELIST = opts.delayWhitelist.join(',');
  Object.assign(env, opts.fuzzydEnv);
  const fuzzyd = await startFuzzyd(env);
  return {
    target: 'fuzzyd',
    backend,
    udpPort: fuzzyd.udpPort,
    httpPort: fuzzyd.httpPort,
    dbPath,
    logPath: null,
    settle: async () => undefined,
    stop: async () => {
      await fuzzyd.stop();
      if (ownDir) await rm(ownDir, { recursive: true, force: true });
      await stopRedis();
    },
  };
}

/**
 * Copies a stopped server's SQLite file (and its WAL, if a checkpoint left one) into `dir`; returns the new path.
 * The -shm index is not copied: SQLite rebuilds it from the WAL.
 */
export async function copyDatabase(src: string, dir: string): Promise<string> {
  const dst = join(dir, basename(src));
  await copyFile(src, dst);
  if (existsSync(`${src}-wal`)) await copyFile(`${src}-wal`, `${dst}-wal`);
  return dst;
}
