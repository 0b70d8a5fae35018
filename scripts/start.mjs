// `npm start`: runs the built server, building first when nothing is built yet.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const entry = 'dist/server/src/main.js';
if (!existsSync(entry)) execSync('npm run build', { stdio: 'inherit' });
await import(new URL(`../${entry}`, import.meta.url).href);
