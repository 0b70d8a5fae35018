/** A store that cannot be opened stops fuzzyd at start with the reason, not `fuzzyd: undefined` (issue: faults #8). */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startFuzzyd } from '../helpers/fuzzyd-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

async function startFailure(env: Record<string, string>): Promise<string> {
  const err = await startFuzzyd(env).then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(Error);
  return err!.message;
}

describe('start-up failures of the SQLite store', () => {
  it('a file that is not a database', async () => {
    const path = dir.file('garbage.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a));
    const output = await startFailure({ FUZZYD_DB: path });
    expect(output).toMatch(/fuzzyd: cannot open the SQLite store: .*garbage\.db: file is not a database/);
    expect(output).not.toContain('undefined');
  });

  it('a directory that cannot be created', async () => {
    const blocker = dir.file('not-a-dir');
    writeFileSync(blocker, 'x');
    const output = await startFailure({ FUZZYD_DB: `${blocker}/sub/fuzzy.db` });
    expect(output).toMatch(/fuzzyd: cannot open the SQLite store: .*ENOTDIR/);
  });
});
