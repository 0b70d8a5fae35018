import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Lets a bench section also run on its own (`node dist/test/bench/<section>.bench.js`), printing its JSON. */
export function runIfMain(moduleUrl: string, bench: () => Promise<unknown>): void {
  if (!process.argv[1]) return;
  try {
    if (realpathSync(process.argv[1]) !== realpathSync(fileURLToPath(moduleUrl))) return;
  } catch {
    return;
  }
  bench().then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
