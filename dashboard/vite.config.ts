import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The dashboard is built into dashboard/dist, which fuzzyd serves at `/` (server/src/http/dashboard-static.ts). */
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Pages are lazy routes: recharts (the largest dependency) is only fetched by the pages that draw charts.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npx vite --config dashboard/vite.config.ts` during development: the API of a fuzzyd on the default port.
    proxy: {
      '/api': 'http://127.0.0.1:11336',
      '/health': 'http://127.0.0.1:11336',
    },
  },
});
