import { afterEach } from 'vitest';
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
