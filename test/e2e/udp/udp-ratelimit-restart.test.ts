/**
 * A ban survives a clean restart (ratelimit/bucket-file.ts; rspamd ≥ 3.6 saves its buckets too but loses bans,
 * docs/spec/access-controls.md §4.4). Sends from this machine's non-loopback IPv4 address: loopback is exempt.
 */
import { existsSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { bucketFilePath } from '../../../server/src/ratelimit/bucket-file.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
if (!external) console.warn('udp-ratelimit-restart: no non-loopback IPv4 address here; skipped');

const env = { FUZZYD_UDP: '0.0.0.0:0', FUZZYD_UDP_THREADS: '2', FUZZYD_RATELIMIT_BURST: '2', FUZZYD_RATELIMIT_RATE: '0' };
const check = async (fuzzyd: TestFuzzyd): Promise<number | null> => {
  const raw = await udpExchange(encodeRequest({ cmd: Command.Check, digest: randomDigest(), tag: 1 }), fuzzyd.udpPort, { from: external, host: external, timeoutMs: 400 });
  return raw ? decodeReply(raw).value : null;
};

(external ? describe : describe.skip)('rate-limit buckets across a restart', () => {
  let second: TestFuzzyd | undefined;
  afterAll(async () => second?.close());

  it('a banned network is still refused after a clean stop and start on the same database', async () => {
    const first = await startTestFuzzyd(env);
    expect([await check(first), await check(first), await check(first)]).toEqual([0, 0, 403]);
    await first.close({ keepFiles: true });
    expect(existsSync(bucketFilePath(first.dbPath))).toBe(true);
    second = await startTestFuzzyd({ ...env, FUZZYD_DB: first.dbPath });
    expect(await check(second)).toBe(403);
  });

  it('a limit set over the API (none configured) comes back before the first datagram, and so does its ban', async () => {
    const threads = { FUZZYD_UDP: '0.0.0.0:0', FUZZYD_UDP_THREADS: '2' };
    const first = await startTestFuzzyd(threads);
    const set = await first.request('PATCH', '/api/v1/access/settings', { body: { ratelimit_burst: 2, ratelimit_rate: 0 } });
    expect(set.statusCode).toBe(200);
    expect([await check(first), await check(first), await check(first)]).toEqual([0, 0, 403]);
    await first.close({ keepFiles: true });
    const again = await startTestFuzzyd({ ...threads, FUZZYD_DB: first.dbPath });
    try {
      // The table the stored settings made at start holds the saved ban: refused from the very first CHECK.
      expect(await check(again)).toBe(403);
      expect(again.runtime.rateLimits.settings).toMatchObject({ burst: 2, rate: 0 });
    } finally {
      await again.close();
    }
  });
});
