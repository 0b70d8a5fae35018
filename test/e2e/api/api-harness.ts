import { afterAll, afterEach, beforeAll } from 'vitest';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { startTestFuzzyd, type TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';

export { TEST_ADMIN_TOKEN as ADMIN_TOKEN, type TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';

/** fuzzyd in this process (test/helpers/in-process-fuzzyd.ts) logging at `info`, so tests can read what it logs. */
export function startApi(env: Record<string, string | undefined> = {}): Promise<TestFuzzyd> {
  return startTestFuzzyd({ FUZZYD_LOG_LEVEL: 'info', ...env });
}

/** A random digest as 128 lowercase hex characters. */
export function hexDigest(): string {
  return Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))).toString('hex');
}

export interface ApiHarnesses {
  /** startApi(env), closed after the current test. */
  start(env?: Record<string, string | undefined>): Promise<TestFuzzyd>;
  /** Leaves `api` out of that cleanup: the test closes it itself (e.g. keeping its files for a restart). */
  release(api: TestFuzzyd): void;
}

/** Call at the top of a test file: instances started through the result are closed after each test. */
export function apiHarnesses(): ApiHarnesses {
  const running: TestFuzzyd[] = [];
  afterEach(async () => {
    for (const h of running.splice(0)) await h.close();
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

export interface ApiWithUdpClient {
  /** Set once the file's beforeAll has run. */
  readonly api: TestFuzzyd;
  /** A UDP client on `api`'s port (from 127.0.0.1, which the default configuration lets write). */
  readonly udp: FuzzyClient;
}

/**
 * Call at the top of a test file: one startApi(env) for the whole file and a UDP client on its port, both closed
 * after the file (the client first, so no request is left waiting on a closed server).
 */
export function apiWithUdpClient(env: Record<string, string | undefined> = {}, client: { timeoutMs: number; retries: number } = { timeoutMs: 1000, retries: 2 }): ApiWithUdpClient {
  let api: TestFuzzyd | undefined;
  let udp: FuzzyClient | undefined;
  beforeAll(async () => {
    api = await startApi(env);
    udp = new FuzzyClient({ host: '127.0.0.1', port: api.udpPort, ...client });
  });
  afterAll(async () => {
    await udp?.close();
    await api?.close();
  });
  return {
    get api() {
      if (!api) throw new Error('apiWithUdpClient: fuzzyd is not started yet (use it inside a test)');
      return api;
    },
    get udp() {
      if (!udp) throw new Error('apiWithUdpClient: the UDP client is not open yet (use it inside a test)');
      return udp;
    },
  };
}
