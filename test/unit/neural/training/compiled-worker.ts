/**
 * Worker tests run the compiled worker (Node 20 cannot start a worker from .ts, see worker-location.ts).
 * `npm test` builds everything first; when the dist copy of server/src/neural/training is missing or older than
 * its sources (e.g. `npx vitest run` straight after an edit) this recompiles just that directory into dist/
 * with the project's own tsconfig, which emits exactly what the full build would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SRC = join(ROOT, 'server/src/neural/training');
const OUT = join(ROOT, 'dist/server/src/neural/training');

function stale(): boolean {
  for (const f of readdirSync(SRC)) {
    if (!f.endsWith('.ts')) continue;
    const js = join(OUT, f.replace(/\.ts$/, '.js'));
    if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(SRC, f)).mtimeMs) return true;
  }
  return false;
}

export function ensureCompiledTraining(): void {
  if (!stale()) return;
  const dir = mkdtempSync(join(tmpdir(), 'fuzzyd-tsc-'));
  const config = join(dir, 'tsconfig.json');
  writeFileSync(config, JSON.stringify({
    extends: join(ROOT, 'tsconfig.json'),
    compilerOptions: { rootDir: ROOT, outDir: join(ROOT, 'dist'), typeRoots: [join(ROOT, 'node_modules/@types')] },
    include: [join(SRC, '*.ts')],
  }));
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', config], { stdio: 'pipe' });
  } catch (err) {
    const out = (err as { stdout?: Buffer }).stdout?.toString() ?? String(err);
    throw new Error(`compiling ${SRC} failed:\n${out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
