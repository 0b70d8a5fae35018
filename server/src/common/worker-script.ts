import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The URL of a worker_threads entry that sits next to `moduleUrl`. Node runs only compiled JavaScript in workers,
 * so when the caller itself runs from TypeScript sources (Vitest), the compiled copy under `dist/` is used; `npm
 * test` builds before it tests, and a missing build is named here instead of surfacing as an opaque worker crash.
 */
export function workerScriptUrl(moduleUrl: string, scriptName: string): URL {
  if (!moduleUrl.endsWith('.ts')) return new URL(`./${scriptName}.js`, moduleUrl);
  const sourcePath = fileURLToPath(moduleUrl);
  const marker = sourcePath.lastIndexOf('/server/src/');
  const markerShared = sourcePath.lastIndexOf('/shared/');
  const at = marker >= 0 ? marker : markerShared;
  if (at < 0) throw new Error(`cannot locate the compiled worker for ${sourcePath}`);
  const compiled = `${sourcePath.slice(0, at)}/dist${sourcePath.slice(at)}`.replace(/[^/]+\.ts$/, `${scriptName}.js`);
  if (!existsSync(compiled)) throw new Error(`compiled worker ${compiled} not found; run \`npm run build:server\` first`);
  return pathToFileURL(compiled);
}
