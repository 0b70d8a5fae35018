import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/src/**/*.test.ts', 'shared/**/*.test.ts', 'dashboard/src/**/*.test.tsx'],
    exclude: ['node_modules', 'dist'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Interop and browser suites start real rspamd / chromium; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
