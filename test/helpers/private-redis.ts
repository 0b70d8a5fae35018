import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { startRedisServer, type TestRedis } from './redis-server.js';

export interface PrivateRedis {
  /** The server (redis-server.ts); set once the file's beforeAll has run. */
  readonly server: TestRedis;
  readonly url: string;
  /** A plain ioredis client on it, for arranging and inspecting keys the way rspamd would see them. */
  readonly raw: Redis;
}

/**
 * Call at the top of a test file, before its own hooks: a private redis-server and a raw client for the whole file,
 * closed after the file's own afterAll hooks (vitest runs after-hooks in reverse), so the file closes its fuzzyd
 * instances and clients while Redis still answers.
 */
export function privateRedis(): PrivateRedis {
  let server: TestRedis | undefined;
  let raw: Redis | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
    raw = new Redis(server.url);
  });
  afterAll(async () => {
    await raw?.quit();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('privateRedis: Redis is not started yet (use it inside a hook or test)');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get url() {
      return started(server).url;
    },
    get raw() {
      return started(raw);
    },
  };
}
