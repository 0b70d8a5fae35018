import type { LightMyRequestResponse } from 'fastify';
import { afterEach } from 'vitest';
import { type Fuzzyd, startFuzzyd } from '../../../server/src/bootstrap.js';
import { loadConfig } from '../../../server/src/config/app-config.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface InjectOptions {
  /** Bearer token; `null` sends no Authorization header. Default: the admin token. */
  token?: string | null;
  body?: unknown;
  /** A raw body (string or Buffer), sent as is with `contentType`. */
  payload?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface ApiHarness {
  fuzzyd: Fuzzyd;
  dbPath: string;
  udpPort: number;
  httpPort: number;
  /** Every JSON log line written so far. */
  logs: string[];
  request(method: string, url: string, options?: InjectOptions): Promise<LightMyRequestResponse>;
  /** Stops the server; the database directory is kept when `keepFiles` (to restart on it). */
  stop(options?: { keepFiles?: boolean }): Promise<void>;
}

/**
 * fuzzyd in this process on loopback with free ports and a private database; requests go through `app.inject`
 * (the whole Fastify + Nest pipeline, without a socket). FUZZYD_* variables in `env` override the defaults.
 */
export async function startApi(env: Record<string, string | undefined> = {}): Promise<ApiHarness> {
  const dir = tempDir('fuzzyd-api-');
  const dbPath = env.FUZZYD_DB ?? dir.file('fuzzy.db');
  const config = loadConfig({
    FUZZYD_UDP: '127.0.0.1:0',
    FUZZYD_HTTP: '127.0.0.1:0',
    FUZZYD_DB: dbPath,
    FUZZYD_ADMIN_TOKEN: ADMIN_TOKEN,
    FUZZYD_LOG_LEVEL: 'info',
    FUZZYD_DURABILITY: 'normal',
    ...env,
  });
  const logs: string[] = [];
  const fuzzyd = await startFuzzyd(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  const address = fuzzyd.http.getHttpServer().address();
  return {
    fuzzyd,
    dbPath,
    udpPort: fuzzyd.runtime.udp.boundAddresses[0].port,
    httpPort: typeof address === 'object' && address ? address.port : 0,
    logs,
    request: (method, url, options = {}) => {
      const token = options.token === undefined ? ADMIN_TOKEN : options.token;
      const headers: Record<string, string> = { ...options.headers };
      if (token !== null) headers.authorization = `Bearer ${token}`;
      let payload: string | Buffer | undefined = options.payload;
      if (options.body !== undefined) {
        payload = JSON.stringify(options.body);
        headers['content-type'] = 'application/json';
      }
      if (options.contentType) headers['content-type'] = options.contentType;
      return fuzzyd.http.inject({ method: method as 'GET', url, headers, payload });
    },
    stop: async ({ keepFiles = false } = {}) => {
      await fuzzyd.stop();
      if (!keepFiles) dir.remove();
    },
  };
}

/** A random digest as 128 lowercase hex characters. */
export function hexDigest(): string {
  return Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))).toString('hex');
}

export interface ApiHarnesses {
  /** startApi(env), stopped after the current test. */
  start(env?: Record<string, string | undefined>): Promise<ApiHarness>;
  /** Leaves `api` out of that cleanup: the test stops it itself (e.g. keeping its files for a restart). */
  release(api: ApiHarness): void;
}

/** Call at the top of a test file: harnesses started through the result are stopped after each test. */
export function apiHarnesses(): ApiHarnesses {
  const running: ApiHarness[] = [];
  afterEach(async () => {
    for (const h of running.splice(0)) await h.stop();
  });
  return {
    start: async (env = {}) => {
      const api = await startApi(env);
      running.push(api);
      return api;
    },
    release: (api) => {
      running.splice(running.indexOf(api), 1);
    },
  };
}
