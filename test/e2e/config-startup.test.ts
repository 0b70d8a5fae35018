/**
 * The built server refuses a configuration it cannot use before it binds anything: exit code 2 and one line naming
 * the variable or file key. Neural settings are checked without Redis too (they used to be read only with it).
 */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startFuzzyd } from '../helpers/fuzzyd-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
afterAll(() => dir.remove());

async function startFailure(env: Record<string, string>): Promise<string> {
  const err = await startFuzzyd({ FUZZYD_REDIS_URL: '', ...env }).then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(err).toBeInstanceOf(Error);
  expect(err!.message).toMatch(/^fuzzyd exited with 2 before it was ready/);
  return err!.message;
}

describe('start-up failures of the configuration', () => {
  it('an invalid neural setting without FUZZYD_REDIS_URL', async () => {
    const output = await startFailure({ FUZZYD_NEURAL_AUTOTRAIN: 'maybe' });
    expect(output).toContain("fuzzyd: configuration error: FUZZYD_NEURAL_AUTOTRAIN: 'maybe' is not a boolean");
  });

  it('an unknown key in the config file', async () => {
    const path = dir.file('fuzzyd.json');
    writeFileSync(path, JSON.stringify({ bind_sockets: '127.0.0.1:11335' }));
    const output = await startFailure({ FUZZYD_CONFIG: path });
    expect(output).toContain(`fuzzyd: configuration error: FUZZYD_CONFIG: '${path}' has the unknown key 'bind_sockets'`);
  });
});
