import type { LightMyRequestResponse } from 'fastify';
import { type Fuzzyd, startFuzzyd } from '../../server/src/bootstrap.js';
import { loadConfig } from '../../server/src/config/app-config.js';
import { tempDir } from './temp-dir.js';

/** The admin token every in-process fuzzyd starts with (FUZZYD_ADMIN_TOKEN). */
export const TEST_ADMIN_TOKEN = 'fzd_test_admin_token_0123456789abcdef';

export interface InjectOptions {
  /** Bearer token; `null` sends no Authorization header. Default: the admin token. */
  token?: string | null;
  body?: unknown;
  /** A raw body (string or Buffer), sent as is with `contentType`. */
  payload?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface TestFuzzyd extends Fuzzyd {
  udpPort: number;
  httpPort: number;
  dbPath: string;
  /** Every JSON log line written so far (none with the default log level, `silent`). */
  logs: string[];
  /** An HTTP request through the whole Fastify + Nest pipeline (`app.inject`, no socket). */
  request(method: string, url: string, options?: InjectOptions): Promise<LightMyRequestResponse>;
  /** Stops fuzzyd and removes its database directory, unless `keepFiles` (to restart on it). */
  close(options?: { keepFiles?: boolean }): Promise<void>;
}

/**
 * fuzzyd in this process on loopback with free ports and a private database, configured from `env` exactly as
 * main.ts configures it from the process environment (FUZZYD_* in `env` override the defaults here).
 */
export async function startTestFuzzyd(env: Record<string, string | undefined> = {}): Promise<TestFuzzyd> {
  const dir = tempDir('fuzzyd-test-');
  const dbPath = env.FUZZYD_DB ?? dir.file('fuzzy.db');
  const config = loadConfig({
    FUZZYD_UDP: '127.0.0.1:0',
    FUZZYD_HTTP: '127.0.0.1:0',
    FUZZYD_DB: dbPath,
    FUZZYD_DURABILITY: 'normal',
    FUZZYD_LOG_LEVEL: 'silent',
    FUZZYD_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    // No Redis unless a test brings its own: the default address is a shared Redis other suites write to.
    FUZZYD_REDIS_URL: '',
    ...env,
  });
  const logs: string[] = [];
  const fuzzyd = await startFuzzyd(config, { logDestination: { write: (line: string) => void logs.push(line) } });
  const address = fuzzyd.http.getHttpServer().address();
  return {
    ...fuzzyd,
    udpPort: fuzzyd.runtime.udp.boundAddresses[0].port,
    httpPort: typeof address === 'object' && address ? address.port : 0,
    dbPath,
    logs,
    request: (method, url, options = {}) => {
      const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
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
    close: async ({ keepFiles = false } = {}) => {
      await fuzzyd.stop();
      if (!keepFiles) dir.remove();
    },
  };
}
