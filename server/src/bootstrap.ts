import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { FuzzyCrypto } from '../../shared/protocol/fuzzy-crypto.js';
import type { AppConfig } from './config/app-config.js';
import type { FuzzyBackend } from './fuzzy/fuzzy-backend.js';
import { formatListenAddress } from './config/listen-address.js';
import { AccessSettings } from './access/settings/access-settings.js';
import { applyAccess } from './access/settings/live-access.js';
import { readStoredAccessSettings, restValuesOf } from './access/settings/stored-access-settings.js';
import { AllowUpdateKeysWatcher } from './keys/allow-update-keys.js';
import { DynamicKeysWatcher, describeMapSource } from './keys/dynamic-keys-map.js';
import { KeyRing } from './keys/key-ring.js';
import { adminKeyFilePath, readAdminKeyFile } from './keys/admin-key-file.js';
import { AdminKeys } from './keys/admin-keys.js';
import type { ServerKey } from './keys/server-key.js';
import { type Logger, createLogger, rateLimitedWarn } from './common/logger.js';
import { openBackend } from './fuzzy/open-backend.js';
import { AuditLog } from './audit/audit-log.js';
import { createHttpApp } from './http/http-app.js';
import type { Runtime } from './runtime.js';
import { bindFuzzyPorts } from './tcp/bind-fuzzy-ports.js';
import { TcpServer } from './tcp/tcp-server.js';
import { TcpStats } from './tcp/tcp-stats.js';
import { RateLimits } from './ratelimit/rate-limits.js';
import { rateLimitSettings } from './ratelimit/rate-limit-settings.js';
import { bucketFilePath, loadBuckets, saveBuckets } from './ratelimit/bucket-file.js';
import { rateLimited } from './common/rate-limited.js';
import { AccessPolicy, readSkipHashesFile } from './udp/access-policy.js';
import { RequestHandler } from './udp/request-handler.js';
import { UdpServer } from './udp/udp-server.js';
import { type UdpPlane, UdpThreads, type UdpThreadsOptions, reusePortWorks } from './udp/udp-threads.js';
import { UdpStats } from './udp/udp-stats.js';
import { KeyFlagStats } from './udp/key-flag-stats.js';
import { checkReplyConfig } from './udp/check-reply-rules.js';

export interface Fuzzyd {
  runtime: Runtime;
  http: NestFastifyApplication;
  /** Stops taking requests, commits what is queued, closes files and sockets. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where the JSON log goes (default stdout); tests pass a stream to read what was logged. */
  logDestination?: DestinationStream;
}

/** Builds and starts everything: store, UDP plane, HTTP app. Used by main.ts and by in-process tests. */
export async function startFuzzyd(config: AppConfig, options: StartOptions = {}): Promise<Fuzzyd> {
  const logger = createLogger(config.logLevel, options.logDestination);
  // Read before anything opens: a file that does not load stops the start, as a bad dynamic_keys_map does.
  const adminKeyPath = adminKeyFilePath(config.dbPath);
  const adminKeyFile = readAdminKeyFile(adminKeyPath);
  if (adminKeyFile.tooOpen) logger.warn({ file: adminKeyPath }, 'the admin keys file holds private keys and is readable by others: chmod 600 it');
  const warnAudit = rateLimitedWarn(logger);
  // The store opens first: with SQLite its writer thread makes the file (and says clearly why it cannot). A Redis
  // store's audit rows go to the log opened right after, before anything serves.
  let audit: AuditLog | null = null;
  const backend = await openBackend(config, logger, (row) => audit?.append(row));
  try {
    audit = new AuditLog(config.dbPath, {
      retentionSeconds: config.auditRetentionSeconds,
      maxRows: config.auditMaxRows,
      onError: (err) => warnAudit('audit trail: rows could not be written or purged', { error: err.message }),
    });
  } catch (err) {
    await backend.close();
    throw err;
  }
  const skipHashes = config.skipHashesFile ? readSkipHashesFile(config.skipHashesFile) : [];
  const policy = new AccessPolicy(config.allowUpdate, config.blocked, skipHashes);
  const stats = new UdpStats();
  // Static keys first, then dynamic, then admin, else the last static key (keys/key-ring.ts); without any key,
  // encrypted datagrams are dropped as undecryptable.
  const keys = new KeyRing(config.keypairs, config.dynamicKeysMap?.keys ?? [], { admin: adminKeyFile.configs, disabled: adminKeyFile.file.disabled });
  const adminKeys = new AdminKeys(adminKeyPath, keys, adminKeyFile.file, logger);
  const crypto = new FuzzyCrypto<ServerKey>((wireId) => keys.find(wireId));
  const keyStats = new KeyFlagStats();
  keyStats.assignRing(keys);
  const keysWatcher = config.dynamicKeysMap ? await watchDynamicKeys(config, config.dynamicKeysMap, keys, logger) : null;
  // The sets the main thread's handler reads; access settings changed over the API replace their contents.
  const allowUpdateKeys = new Set(config.allowUpdateKeys.ids);
  const weakIds = new Set(config.weakIds);
  // One ban line per 10 s per thread at most, whatever the flood (rate-limited.ts).
  const logInfo = (message: string, context: Record<string, unknown>): void => logger.info(context, message);
  const rateLimits = new RateLimits(rateLimitSettings(config), rateLimited(logInfo));
  restoreBuckets(rateLimits, config.dbPath, logger);
  const handler = new RequestHandler({
    backend,
    rateLimits,
    policy,
    stats,
    keyStats,
    crypto,
    allowUpdateKeys,
    encryptedOnly: config.encryptedOnly,
    readOnly: config.readOnly,
    replyCodes: config.replyCodes,
    checkReplies: checkReplyConfig(config),
    weakIds,
    onWarning: rateLimitedWarn(logger),
  });
  const udpParts = { handler, policy, keys, stats, keyStats, skipHashes, onWarning: rateLimitedWarn(logger), onInfo: logInfo, rateLimits };
  const udp = await udpPlane(config, backend, udpParts, logger);
  const tcpStats = new TcpStats();
  // Every TCP frame goes through the same handler as a datagram: the TCP layer only frames.
  const tcp = config.tcp
    ? new TcpServer(handler, policy, tcpStats, {
        idleTimeoutMs: config.tcpTimeoutSeconds * 1000,
        maxConnections: config.tcpMaxConnections,
        onWarning: rateLimitedWarn(logger),
        refuseConnection: (source) => rateLimits.admitConnection(source, Date.now() / 1000),
      })
    : null;
  const accessSettings = new AccessSettings(config, (values, initial) => {
    // The stored API values may turn the network limit on: the buckets saved at the last stop belong to that table.
    if (applyAccess({ handler, udp, rateLimits, weakIds, allowUpdateKeys }, values) && initial) restoreBuckets(rateLimits, config.dbPath, logger);
  });
  applyStoredAccessSettings(accessSettings, config.dbPath, logger);
  const allowUpdateKeysWatcher = config.allowUpdateKeys.files.length > 0 ? watchAllowUpdateKeys(config, accessSettings, logger) : null;
  const runtime: Runtime = { config, logger, backend, policy, stats, keyStats, udp, tcp, tcpStats, keys, adminKeys, allowUpdateKeys, rateLimits, accessSettings, audit };
  let http: NestFastifyApplication | null = null;
  try {
    const udpBound = await bindFuzzyPorts(udp, tcp, config.udp);
    http = await createHttpApp(runtime);
    await http.listen(config.http.port, config.http.host);
    const httpAddress = http.getHttpServer().address();
    logger.info(
      {
        udp: udpBound.map(formatListenAddress),
        udpPorts: udpBound.map((a) => a.port),
        tcp: tcp ? tcp.boundAddresses.map(formatListenAddress) : [],
        udpThreads: udp.threads,
        httpPort: typeof httpAddress === 'object' && httpAddress ? httpAddress.port : config.http.port,
        hashes: await backend.count(),
      },
      'fuzzyd ready',
    );
  } catch (err) {
    keysWatcher?.stop();
    allowUpdateKeysWatcher?.stop();
    await tcp?.close();
    await udp.close();
    await http?.close();
    audit.close();
    await backend.close();
    throw err;
  }
  const app = http;
  let stopping: Promise<void> | null = null;
  return {
    runtime,
    http: app,
    stop: () =>
      (stopping ??= (async () => {
        keysWatcher?.stop();
        allowUpdateKeysWatcher?.stop();
        await tcp?.close();
        await udp.close();
        keepBuckets(rateLimits, config.dbPath, logger);
        await app.close();
        // Before the store: its connection to the file must be gone when the store checkpoints it and snapshots the
        // index (a later close would change the file under the snapshot). A Redis update still finishing is not recorded.
        audit.close();
        await backend.close();
        stats.close();
        logger.info('fuzzyd stopped');
      })()),
  };
}

/** The values the admin API stored (access/settings) win over file and env from the first datagram on. */
function applyStoredAccessSettings(settings: AccessSettings, dbPath: string, logger: Logger): void {
  let stored;
  try {
    stored = restValuesOf(readStoredAccessSettings(dbPath), (setting, error) => logger.warn({ setting, error }, 'ignoring a stored access setting'));
  } catch (err) {
    logger.warn({ error: (err as Error).message }, 'access settings stored over the API not read; the configuration applies');
    return;
  }
  if (stored.size === 0) return;
  settings.setRestValues(stored, true);
  logger.info({ settings: [...stored.keys()] }, 'access settings from the admin API applied');
}

/** Rate-limit buckets saved at the last clean stop (ratelimit/bucket-file.ts); a file that cannot be read is ignored. */
function restoreBuckets(limits: RateLimits, dbPath: string, logger: Logger): void {
  const path = bucketFilePath(dbPath);
  try {
    const loaded = loadBuckets(limits, path, Date.now() / 1000);
    if (loaded > 0) logger.info({ path, buckets: loaded }, 'rate-limit buckets restored');
  } catch (err) {
    logger.warn({ path, error: (err as Error).message }, 'rate-limit buckets not restored: the file cannot be read');
  }
}

function keepBuckets(limits: RateLimits, dbPath: string, logger: Logger): void {
  const path = bucketFilePath(dbPath);
  try {
    saveBuckets(limits, path, Date.now() / 1000);
  } catch (err) {
    logger.warn({ path, error: (err as Error).message }, 'rate-limit buckets not saved');
  }
}

/**
 * UDP threads when the backend keeps an index they can share and the runtime spreads a port over sockets; otherwise
 * UDP stays on the main thread, and the log says why.
 */
async function udpPlane(
  config: AppConfig,
  backend: FuzzyBackend,
  parts: Pick<UdpThreadsOptions, 'handler' | 'policy' | 'keys' | 'stats' | 'keyStats' | 'skipHashes' | 'onWarning' | 'onInfo' | 'rateLimits'>,
  logger: Logger,
): Promise<UdpPlane> {
  if (config.udpThreads === 0) return new UdpServer(parts.handler);
  if (!backend.index) {
    logger.info({ backend: backend.kind }, 'UDP runs on the main thread: UDP threads need the SQLite backend\'s shared index');
    return new UdpServer(parts.handler);
  }
  let count = config.udpThreads;
  if (count > 1 && !(await reusePortWorks())) {
    logger.warn({ node: process.version }, 'this runtime cannot share a UDP port between sockets (reusePort): one UDP thread');
    count = 1;
  }
  return new UdpThreads({ ...parts, count, index: () => backend.index!, config });
}

/**
 * Polls the map files of `allow_update_keys` every 2 s; a change that reads cleanly replaces the configured ids (an
 * API value, if set, stays in force over them), one that does not is logged and the ids in force stay.
 */
function watchAllowUpdateKeys(config: AppConfig, settings: AccessSettings, logger: Logger): AllowUpdateKeysWatcher {
  const warn = rateLimitedWarn(logger);
  const files = config.allowUpdateKeys.files;
  const watcher = new AllowUpdateKeysWatcher(config.allowUpdateKeys, 'allow_update_keys', {
    onLoaded: (ids) => {
      settings.setConfigured('allowUpdateKeys', { ...config.allowUpdateKeys, ids });
      logger.info({ files, ids: ids.length }, 'allow_update_keys reloaded');
    },
    onError: (message) => warn('allow_update_keys not reloaded; the ids in force stay', { files, error: message }),
  });
  watcher.start();
  return watcher;
}

/**
 * Watches `dynamic_keys_map` (a file every 2 s, a URL every `map_watch_interval`) and swaps the dynamic keys when it
 * changed and reads cleanly; a change that does not, or a URL that cannot be fetched, is logged (at most every 10 s
 * per message, naming the file or the URL without its credentials, never key material) and the keys in force stay.
 * A URL is fetched once before fuzzyd serves; when that fails fuzzyd starts with no dynamic keys, as rspamd's worker
 * does (docs/spec/access-controls.md §3.1), and the polls go on.
 */
async function watchDynamicKeys(config: AppConfig, map: NonNullable<AppConfig['dynamicKeysMap']>, keys: KeyRing, logger: Logger): Promise<DynamicKeysWatcher> {
  const warn = rateLimitedWarn(logger);
  const where = describeMapSource(map.source);
  const retryInSeconds = config.mapWatchIntervalSeconds;
  let serving = false;
  const watcher = new DynamicKeysWatcher(map.source, map.key, keys, {
    intervalMs: retryInSeconds * 1000,
    onLoaded: (count) => logger.info({ map: where, keys: count }, 'loaded dynamic keypairs'),
    onError: (error) =>
      serving
        ? warn('dynamic_keys_map not reloaded; the keys in force stay', { map: where, error })
        : logger.warn({ map: where, error, retryInSeconds }, 'dynamic_keys_map could not be loaded at start: serving with no dynamic keys until a poll succeeds'),
  });
  if (map.source.kind === 'http') await watcher.poll();
  else logger.info({ map: where, keys: map.keys.length }, 'loaded dynamic keypairs');
  serving = true;
  watcher.start();
  return watcher;
}
