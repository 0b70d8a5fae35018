/**
 * `allow_update_keys` naming a map file (rspamd's format, one id per line): the file is polled and a change reaches
 * write permission without a restart; a file that stops reading cleanly leaves the ids in force; a value set over
 * REST covers the file until it is removed. fuzzyd in process, its own client encrypting WRITEs to the server key.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessSettingItem } from '../../../shared/api/api-types.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir();
const mapFile = dir.file('allow-update-keys.map');
const key = generateKeypair();
let fuzzyd: TestFuzzyd;
let client: FuzzyClient;

beforeAll(async () => {
  writeFileSync(mapFile, '# writers, one key id per line\n');
  // allow_update emptied: the keys decide (docs/spec/access-controls.md §1.2). The key itself may only read.
  fuzzyd = await startTestFuzzyd({
    FUZZYD_ALLOW_UPDATE: '',
    FUZZYD_KEYPAIR: `${key.privkey}:${key.pubkey}`,
    FUZZYD_ALLOW_UPDATE_KEYS: mapFile,
    FUZZYD_LOG_LEVEL: 'info',
  });
  client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: key.pubkey, timeoutMs: 500, retries: 1 });
});
afterAll(async () => {
  await client?.close();
  await fuzzyd?.close();
  dir.remove();
});

const writeValue = async (): Promise<number> => (await client.write(randomDigest(), 1, 1)).value;

/** Polls (the watcher looks every 2 s) until the WRITE answer is `value`; at most ~10 s, then the last answer. */
async function writeAnswerBecomes(value: number): Promise<number> {
  let last = await writeValue();
  for (let i = 0; i < 40 && last !== value; i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await writeValue();
  }
  return last;
}

async function allowUpdateKeysItem(): Promise<AccessSettingItem> {
  const r = await fuzzyd.request('GET', '/api/v1/access/settings');
  return (JSON.parse(r.body) as AccessSettingItem[]).find((i) => i.name === 'allow_update_keys')!;
}

describe('allow_update_keys from a map file', () => {
  it('refuses the key while the file does not list it, and allows it once the file does, without a restart', async () => {
    expect(await writeValue()).toBe(403);
    writeFileSync(mapFile, `# writers\n${key.id} ci-learner\n`);
    expect(await writeAnswerBecomes(0)).toBe(0);
    expect(fuzzyd.logs.some((l) => l.includes('allow_update_keys reloaded'))).toBe(true);
    expect(await allowUpdateKeysItem()).toMatchObject({ value: [key.id], source: 'env', files: [mapFile] });
  });

  it('a file that no longer reads cleanly is logged and the ids in force stay', async () => {
    writeFileSync(mapFile, `${key.id}\nnot-a-key-id\n`);
    for (let i = 0; i < 40 && !fuzzyd.logs.some((l) => l.includes('allow_update_keys not reloaded')); i++) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(fuzzyd.logs.some((l) => l.includes('allow_update_keys not reloaded') && l.includes('line 2'))).toBe(true);
    expect(await writeValue()).toBe(0);
  });

  it('a REST value covers the file (an empty list refuses the key), and removing it brings the file back', async () => {
    const set = await fuzzyd.request('PATCH', '/api/v1/access/settings', { body: { allow_update_keys: [] } });
    expect(set.statusCode).toBe(200);
    expect(await writeValue()).toBe(403);
    expect(await allowUpdateKeysItem()).toMatchObject({ value: [], source: 'rest', configured: { value: [key.id], source: 'env' } });
    expect((await fuzzyd.request('DELETE', '/api/v1/access/settings/allow_update_keys')).statusCode).toBe(200);
    expect(await writeValue()).toBe(0);
  });
});
