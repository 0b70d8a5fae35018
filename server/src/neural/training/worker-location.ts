/**
 * Where the compiled worker entry is. Node 20 cannot start a worker from a .ts file, so:
 *  - compiled (`node dist/...`): `train-worker.js` sits next to this module — use it;
 *  - TypeScript sources under vitest (this module is `…/server/src/neural/training/worker-location.ts`): use the
 *    compiled twin `<package root>/dist/server/src/neural/training/train-worker.js` produced by `tsc -p
 *    tsconfig.json` (`npm test` builds first; the worker tests rebuild this directory when it is stale).
 * A missing file is reported as a TrainerWorkerError instead of an opaque worker crash.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TrainerWorkerError } from './errors.js';

export const WORKER_FILE = 'train-worker.js';

export function resolveWorkerUrl(moduleUrl: string = import.meta.url): URL {
  const sibling = new URL(`./${WORKER_FILE}`, moduleUrl);
  if (existsSync(fileURLToPath(sibling))) return sibling;
  const modulePath = fileURLToPath(moduleUrl);
  if (modulePath.endsWith('.ts')) {
    const root = packageRoot(dirname(modulePath));
    if (root) {
      const twin = join(root, 'dist', relative(root, dirname(modulePath)), WORKER_FILE);
      if (existsSync(twin)) return pathToFileURL(twin);
      throw new TrainerWorkerError(`compiled worker ${twin} not found; run \`npm run build:server\` first`);
    }
  }
  throw new TrainerWorkerError(`${WORKER_FILE} not found next to ${modulePath}`);
}

function packageRoot(start: string): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return null;
  }
}
