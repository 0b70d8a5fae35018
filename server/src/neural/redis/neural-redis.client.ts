import { Redis } from 'ioredis';
import { registerNeuralScripts, type NeuralRedisClient } from './neural-scripts.js';
import { isConnectionError, RedisUnavailableError, redactRedisUrl } from './redis-unavailable.error.js';

export interface NeuralRedisOptions {
  /** Cap of the reconnect backoff, ms. */
  maxReconnectDelayMs?: number;
  /** How long one connection attempt may take, ms. */
  connectTimeoutMs?: number;
  /** Receives connection errors (ioredis would otherwise print "Unhandled error event"). */
  onError?: (err: Error) => void;
}

/** Exponential backoff 100 ms, 200 ms, 400 ms … capped; never gives up, so the client heals when Redis returns. */
export function reconnectDelay(attempt: number, capMs: number): number {
  return Math.min(100 * 2 ** Math.min(attempt - 1, 16), capMs);
}

/**
 * A client for the Redis that rspamd's neural plugin uses. Configured so that Redis being down never hangs or
 * crashes a caller: nothing is queued while offline (commands fail at once and `guardRedis` turns that into
 * RedisUnavailableError), a command is retried at most once, and reconnection goes on in the background.
 */
export function createNeuralRedis(url: string, options: NeuralRedisOptions = {}): NeuralRedisClient {
  const cap = options.maxReconnectDelayMs ?? 2000;
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => reconnectDelay(attempt, cap),
  });
  client.on('error', (err: Error) => options.onError?.(err));
  return registerNeuralScripts(client);
}

/** The address shown in errors, from the client's own options (credentials never included). */
export function describeClient(client: Redis): string {
  const o = client.options;
  if (o.path) return `unix:${o.path}`;
  return redactRedisUrl(`redis://${o.host ?? '127.0.0.1'}:${o.port ?? 6379}/${o.db ?? 0}`);
}

/**
 * Resolves once the client can send commands. A lazily created client connects here; an attempt already in flight
 * is awaited (bounded by `timeoutMs`); a client that is between reconnect attempts fails at once instead of
 * waiting, so an API request answers quickly while Redis is down.
 */
export async function ensureReady(client: Redis, address: string, timeoutMs: number): Promise<void> {
  switch (client.status) {
    case 'ready':
      return;
    case 'wait':
      try {
        await client.connect();
      } catch (err) {
        // A concurrent caller may have started the connection first; wait for that one instead.
        const now: string = client.status; // changed while awaiting
        if (now === 'connecting' || now === 'connect') return waitForReady(client, address, timeoutMs);
        if (now === 'ready') return;
        throw new RedisUnavailableError(address, { cause: err });
      }
      return;
    case 'connecting':
    case 'connect':
      return waitForReady(client, address, timeoutMs);
    default:
      throw new RedisUnavailableError(address);
  }
}

function waitForReady(client: Redis, address: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown): void => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('close', onClose);
      if (err === undefined) resolve();
      else reject(new RedisUnavailableError(address, { cause: err }));
    };
    const onReady = (): void => done();
    const onClose = (): void => done(new Error('connection closed while connecting'));
    const timer = setTimeout(() => done(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
    client.once('ready', onReady);
    client.once('close', onClose);
  });
}

/** Runs `op` on a ready client; connection failures become RedisUnavailableError, Redis replies pass through. */
export async function guardRedis<T>(
  client: Redis,
  address: string,
  op: () => Promise<T>,
  timeoutMs = 2000,
): Promise<T> {
  await ensureReady(client, address, timeoutMs);
  try {
    return await op();
  } catch (err) {
    if (err instanceof RedisUnavailableError) throw err;
    if (isConnectionError(err)) throw new RedisUnavailableError(address, { cause: err });
    throw err;
  }
}
