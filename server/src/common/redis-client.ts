import { Redis } from 'ioredis';

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
}

/** Exponential backoff 100 ms, 200 ms, 400 ms … capped; never gives up, so the client heals when Redis returns. */
export function reconnectDelay(attempt: number, capMs: number): number {
  return Math.min(100 * 2 ** Math.min(attempt - 1, 16), capMs);
}

/**
 * Every Redis connection fuzzyd makes (the fuzzy store, the neural data) is made here, with one policy: it connects
 * lazily, queues nothing while offline (a command fails at once instead of piling up behind a dead server), retries a
 * command at most once, and reconnects forever in the background.
 */
export function createRedisClient(url: string, options: RedisClientOptions): Redis {
  const cap = options.maxReconnectDelayMs ?? 2000;
  const client = new Redis(url, {
    connectionName: options.name,
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: options.autoPipelining ?? false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => reconnectDelay(attempt, cap),
  });
  client.on('error', (err: Error) => options.onError?.(err));
  return client;
}
