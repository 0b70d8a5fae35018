import type { Redis } from 'ioredis';
import { createRedisClient, type RedisClientOptions } from '../../common/redis-client.js';
import type { RedisAddress } from '../../config/redis-address.js';
import { registerNeuralScripts, type NeuralRedisClient } from './neural-scripts.js';
import { isConnectionError, RedisUnavailableError, redactRedisUrl } from './redis-unavailable.error.js';

/**
 * A client for the Redis that rspamd's neural plugin uses, with fuzzyd's one connection policy (redis-client.ts):
 * Redis being down never hangs or crashes a caller, since `guardRedis` turns a failed command into
 * RedisUnavailableError.
 */
export function createNeuralRedis(url: string | RedisAddress, options: Omit<RedisClientOptions, 'name'> = {}): NeuralRedisClient {
  return registerNeuralScripts(createRedisClient(url, { name: 'fuzzyd-neural', ...options }));
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
