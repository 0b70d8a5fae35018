import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { FuzzyCrypto } from '../../shared/protocol/fuzzy-crypto.js';
import type { AppConfig } from './config/app-config.js';
import type { FuzzyBackend } from './fuzzy/fuzzy-backend.js';
import { formatListenAddress } from './config/listen-address.js';
import { DynamicKeysWatcher } from './keys/dynamic-keys-map.js';
import { KeyRing } from './keys/key-ring.js';
import { adminKeyFilePath, readAdminKeyFile } from './keys/admin-key-file.js';
import { AdminKeys } from './keys/admin-keys.js';
import type { ServerKey } from './keys/server-key.js';
import { type Logger, createLogger, rateLimitedWarn } from './common/logger.js';
import { openBackend } from './fuzzy/open-backend.js';
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
  const backend = await openBackend(config, logger);
  const skipHashes = config.skipHashesFile ? readSkipHashesFile(config.skipHashesFile) : [];
  const policy = new AccessPolicy(config.allowUpdate, config.blocked, skipHashes);
  const stats = new UdpStats();
  // Static keys first, then dynamic, then admin, else the last static key (keys/key-ring.ts); without any key,
  // encrypted datagrams are dropped as undecryptable.
  const keys = new KeyRing(config.keypairs, config.dynamicKeysMap?.keys ?? [], { admin: adminKeyFile.configs, disabled: adminKeyFile.file.disabled });
  const adminKeys = new AdminKeys(adminKeyPath, keys, adminKeyFile.file, logger);
  const crypto = new FuzzyCrypto<ServerKey>((wireId) => keys.find(wireId));
  const keysWatcher = config.dynamicKeysMap ? watchDynamicKeys(config.dynamicKeysMap, keys, logger) : null;
  const allowUpdateKeys: ReadonlySet<string> = new Set(config.allowUpdateKeys);
  // One ban line per 10 s per thread at most, whatever the flood (rate-limited.ts).
  const logInfo = (message: string, context: Record<string, unknown>): void => logger.info(context, message);
  const rateLimits = new RateLimits(rateLimitSettings(config), rateLimited(logInfo));
  restoreBuckets(rateLimits, config.dbPath, logger);
  const handler = new RequestHandler({
    backend,
    rateLimits,
    policy,
    stats,
    crypto,
    allowUpdateKeys,
    encryptedOnly: config.encryptedOnly,
    readOnly: config.readOnly,
    replyCodes: config.replyCodes,
    checkReplies: checkReplyConfig(config),
    weakIds: new Set(config.weakIds),
    onWarning: rateLimitedWarn(logger),
  });
  const udpParts = { handler, policy, keys, stats, skipHashes, onWarning: rateLimitedWarn(logger), onInfo: logInfo, rateLimits };
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
  const runtime: Runtime = { config, logger, backend, policy, stats, udp, tcp, tcpStats, keys, adminKeys, allowUpdateKeys, rateLimits };
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
    await tcp?.close();
    await udp.close();
    await http?.close();
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
        await tcp?.close();
        await udp.close();
        keepBuckets(rateLimits, config.dbPath, logger);
        await app.close();
        await backend.close();
        stats.close();
        logger.info('fuzzyd stopped');
      })()),
  };
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
  parts: Pick<UdpThreadsOptions, 'handler' | 'policy' | 'keys' | 'stats' | 'skipHashes' | 'onWarning' | 'onInfo' | 'rateLimits'>,
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
 * Polls `dynamic_keys_map` every 2 s and swaps the dynamic keys when the file changed and reads cleanly; a change that
 * does not is logged (at most every 10 s per message, naming the file and the problem, never key material) and the
 * keys in force stay.
 */
function watchDynamicKeys(map: NonNullable<AppConfig['dynamicKeysMap']>, keys: KeyRing, logger: Logger): DynamicKeysWatcher {
  const warn = rateLimitedWarn(logger);
  logger.info({ file: map.path, keys: map.keys.length }, 'loaded dynamic keypairs');
  const watcher = new DynamicKeysWatcher(map.path, map.key, keys, {
    onLoaded: (count) => logger.info({ file: map.path, keys: count }, 'loaded dynamic keypairs'),
    onError: (message) => warn('dynamic_keys_map not reloaded; the keys in force stay', { file: map.path, error: message }),
  });
  watcher.start();
  return watcher;
}
