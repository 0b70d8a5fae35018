import { Redis, type RedisOptions } from 'ioredis';
import type { RedisAddress, RedisServer } from '../config/redis-address.js';

export interface RedisClientOptions {
  /** CLIENT SETNAME of the connection, so `CLIENT LIST` on a shared Redis shows which part of fuzzyd it is. */
  name: string;
  /** Receives connection errors (ioredis would otherwise print "Unhandled error event"). */
  onError?: (err: Error) => void;
  /** Cap of the reconnect backoff, ms. */
  maxReconnectDelayMs?: number;
  /** How long one connection attempt may take, ms. */
  connectTimeoutMs?: number;
  /** Sends the commands of one event-loop turn as one pipeline (the fuzzy store's many small reads). */
  autoPipelining?: boolean;
  /** Connect to this read replica (one of the address's `read_servers`) instead of the primary. */
  replica?: RedisServer;
  /**
   * Fail a command that has no answer after the address's `timeout` (rspamd's fuzzy backend does the same): the fuzzy
   * store's small commands. The neural client leaves it off: loading an ANN or a training set may take longer.
   */
  commandTimeout?: boolean;
}

/** Exponential backoff 100 ms, 200 ms, 400 ms … capped; never gives up, so the client heals when Redis returns. */
export function reconnectDelay(attempt: number, capMs: number): number {
  return Math.min(100 * 2 ** Math.min(attempt - 1, 16), capMs);
}

/**
 * Every Redis connection fuzzyd makes (the fuzzy store, the neural data) is made here, with one policy: it connects
 * lazily, queues nothing while offline (a command fails at once instead of piling up behind a dead server), retries a
 * command at most once, gives up on a command after the address's `timeout` (a Redis that accepts but does not
 * answer, where asked), and reconnects forever in the background. A plain string is a URL with the default options (tests).
 *
 * With Sentinel the primary is asked of the sentinels at every (re)connection, and `+switch-master` makes the client
 * reconnect at once; a primary that turned replica answers writes with READONLY, which also makes it reconnect, so
 * it finds the new primary without a restart (docs/spec/redis.md §3).
 */
export function createRedisClient(address: string | RedisAddress, options: RedisClientOptions): Redis {
  const cap = options.maxReconnectDelayMs ?? 2000;
  const policy: RedisOptions = {
    connectionName: options.name,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => reconnectDelay(attempt, cap),
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
  const client = typeof address === 'string' ? new Redis(address, policy) : connect(address, options, policy);
  client.on('error', (err: Error) => options.onError?.(err));
  return client;
}

function connect(address: RedisAddress, options: RedisClientOptions, policy: RedisOptions): Redis {
  const shared: RedisOptions = {
    ...policy,
    ...(options.commandTimeout && address.timeoutMs > 0 ? { commandTimeout: address.timeoutMs } : {}),
    ...(address.username ? { username: address.username } : {}),
    ...(address.password ? { password: address.password } : {}),
    ...(address.db !== null ? { db: address.db } : {}),
    ...(address.tls ? { tls: {} } : {}),
  };
  const t = address.topology;
  if (t.kind === 'server') return new Redis(options.replica ?? t.primary, shared);
  return new Redis({
    ...shared,
    sentinels: t.sentinels,
    name: t.masterName,
    role: 'master',
    ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
    enableTLSForSentinelMode: address.tls,
    failoverDetector: true,
    sentinelRetryStrategy: (attempt) => reconnectDelay(attempt, policy.connectTimeout ?? 2000),
  });
}

/** `host:port` of the server a ready client talks to (the primary Sentinel named, or the URL's), null when offline. */
export function connectedServer(client: Redis): string | null {
  if (client.status !== 'ready') return null;
  const stream = (client as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  if (stream?.remoteAddress) {
    const host = stream.remoteAddress.replace(/^::ffff:/, '');
    return host.includes(':') ? `[${host}]:${stream.remotePort}` : `${host}:${stream.remotePort}`;
  }
  return client.options.path ? `unix:${client.options.path}` : null;
}
