import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workerScriptUrl } from '../../../server/src/common/worker-script.js';

describe('workerScriptUrl', () => {
  it('a compiled module finds the worker next to itself', () => {
    const url = workerScriptUrl('file:///opt/fuzzyd/dist/server/src/fuzzy/sqlite/writer/writer-client.js', 'writer-worker');
    expect(fileURLToPath(url)).toBe('/opt/fuzzyd/dist/server/src/fuzzy/sqlite/writer/writer-worker.js');
  });

  it('a TypeScript source (Vitest) finds the compiled twin under dist/', () => {
    const root = mkdtempSync(join(tmpdir(), 'fuzzyd-worker-url-'));
    mkdirSync(join(root, 'dist/server/src/udp'), { recursive: true });
    writeFileSync(join(root, 'dist/server/src/udp/udp-worker.js'), '');
    const url = workerScriptUrl(pathToFileURL(join(root, 'server/src/udp/udp-threads.ts')).href, 'udp-worker');
    expect(fileURLToPath(url)).toBe(join(root, 'dist/server/src/udp/udp-worker.js'));
  });

  it('a missing build is named, with the command that makes it', () => {
    const root = mkdtempSync(join(tmpdir(), 'fuzzyd-worker-url-'));
    const source = pathToFileURL(join(root, 'server/src/neural/training/trainer-client.ts')).href;
    expect(() => workerScriptUrl(source, 'train-worker')).toThrow(/train-worker\.js not found; run `npm run build:server` first/);
  });
});
