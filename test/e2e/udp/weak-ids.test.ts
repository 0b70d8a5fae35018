/** rspamd's `weak_ids` over UDP: a WRITE of a weak flag never displaces the hash's flag (access-controls.md §6.3). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';

let fuzzyd: TestFuzzyd;
let client: FuzzyClient;

beforeAll(async () => {
  fuzzyd = await startTestFuzzyd({ FUZZYD_WEAK_IDS: '4' });
  client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 1000, retries: 1 });
});
afterAll(async () => {
  await client?.close();
  await fuzzyd?.close();
});

describe('weak_ids', () => {
  it('a weak WRITE adds to the stored flag instead of re-flagging; a strong one re-flags', async () => {
    const digest = randomDigest();
    await client.write(digest, 7, 10);
    expect((await client.write(digest, 4, 3)).prob).toBe(1);
    expect(await client.check(digest)).toMatchObject({ flag: 7, value: 13, prob: 1 });
    await client.write(digest, 9, 2);
    expect(await client.check(digest)).toMatchObject({ flag: 9, value: 2 });
  });
});
