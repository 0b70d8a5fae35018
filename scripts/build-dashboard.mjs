// Builds the dashboard with Vite when it exists; the server serves dashboard/dist at `/`.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

if (!existsSync('dashboard/vite.config.ts')) {
  console.log('build:dashboard: no dashboard yet, skipped');
  process.exit(0);
}
execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'dashboard/vite.config.ts'], { stdio: 'inherit' });
