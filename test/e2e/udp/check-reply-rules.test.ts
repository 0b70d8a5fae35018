/**
 * rspamd's `delay` / `delay_whitelist` and `forbidden_ids` on real UDP, on the main thread and on UDP threads, which
 * answer CHECKs themselves and so must apply the same rules (docs/spec/access-controls.md §5, §6.2).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

const FORBIDDEN = 13;

describe.each([0, 2])('delay and forbidden_ids with FUZZYD_UDP_THREADS=%i', (threads) => {
  let fuzzyd: TestFuzzyd;
  let writer: FuzzyClient;

  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({
      FUZZYD_UDP_THREADS: String(threads),
      FUZZYD_DELAY: '1s',
      FUZZYD_DELAY_WHITELIST: '127.0.0.3',
      FUZZYD_FORBIDDEN_IDS: String(FORBIDDEN),
    });
    writer = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 1000, retries: 1 });
  });
  afterAll(async () => {
    await writer?.close();
    await fuzzyd?.close();
  });

  const checkFrom = async (from: string, digest: Buffer) =>
    decodeReply((await udpExchange(encodeRequest({ cmd: Command.Check, digest, tag: 7 }), fuzzyd.udpPort, { from }))!);

  it('a fresh hash is a miss with its flag kept, except for the whitelist, and a hit once old enough', async () => {
    const digest = randomDigest();
    await writer.write(digest, 1, 10);
    expect(await checkFrom('127.0.0.1', digest)).toMatchObject({ value: 0, flag: 1, prob: 0 });
    expect(await checkFrom('127.0.0.3', digest)).toMatchObject({ value: 10, flag: 1, prob: 1 });
    // delay 1 s plus up to half of it in jitter, and the store's whole-second time.
    await new Promise((r) => setTimeout(r, 2600));
    expect(await checkFrom('127.0.0.1', digest)).toMatchObject({ value: 10, flag: 1, prob: 1 });
  });

  it('a hash under a forbidden flag is answered as a miss; the write itself is stored and acknowledged', async () => {
    const digest = randomDigest();
    const ack = await writer.write(digest, FORBIDDEN, 5);
    expect(ack.prob).toBe(1);
    expect(await checkFrom('127.0.0.3', digest)).toMatchObject({ value: 0, flag: 0, prob: 0 });
    expect(fuzzyd.runtime.backend.count()).toBeGreaterThan(0);
    expect(await fuzzyd.runtime.backend.get(digest)).toMatchObject({ flag: FORBIDDEN, value: 5 });
  });
});
