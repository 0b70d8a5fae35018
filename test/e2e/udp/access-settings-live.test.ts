/**
 * Access settings changed over REST while serving (PATCH /api/v1/access/settings), seen over real UDP through two UDP
 * threads: every CHECK goes out from a fresh socket, so the kernel spreads them over both threads, which must all
 * obey the new value from the next datagram. Rate limits exempt loopback (rspamd ≥ 3.14), so those CHECKs come
 * from this machine's first non-loopback IPv4 address (fuzzyd listens on 0.0.0.0); without one that case is skipped.
 */
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import type { Digest } from '../../../shared/protocol/types.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
if (!external) console.warn('access-settings-live: no non-loopback IPv4 address here; the rate-limit case is skipped');

let fuzzyd: TestFuzzyd;
beforeAll(async () => {
  fuzzyd = await startTestFuzzyd({ FUZZYD_UDP: '0.0.0.0:0', FUZZYD_UDP_THREADS: '2' });
});
afterAll(async () => fuzzyd?.close());

async function patch(body: Record<string, unknown>): Promise<void> {
  const r = await fuzzyd.request('PATCH', '/api/v1/access/settings', { body });
  expect(r.statusCode, r.body).toBe(200);
}

/** One CHECK from a new socket: `ok`/`403`, or the reply's value and flag for a digest. */
async function check(digest: Digest, from = '127.0.0.1') {
  const raw = await udpExchange(encodeRequest({ cmd: Command.Check, digest, tag: 1 }), fuzzyd.udpPort, { from, host: from, timeoutMs: 500 });
  return raw ? decodeReply(raw) : null;
}

async function checks(n: number, digest: Digest, from?: string) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await check(digest, from));
  return out;
}

async function write(digest: Digest, flag: number): Promise<void> {
  const raw = await udpExchange(encodeRequest({ cmd: Command.Write, digest, tag: 2, flag, value: 10 }), fuzzyd.udpPort);
  expect(decodeReply(raw!).value).toBe(0);
}

/** CHECKs the UDP threads answered themselves, summed. */
const threadCount = (): number => fuzzyd.runtime.stats.handledPerThread().slice(1).reduce((a, b) => a + b, 0);

describe('access settings changed over REST apply to the next datagram on every UDP thread', () => {
  (external ? it : it.skip)('a tiny rate limit set over REST refuses CHECKs from a non-loopback source; lifting it serves them again', async () => {
    const digest = randomDigest();
    const threadsBefore = threadCount();
    expect((await checks(4, digest, external)).map((r) => r?.value)).toEqual([0, 0, 0, 0]);

    await patch({ ratelimit_rate: 0, ratelimit_burst: 2 });
    const limited = await checks(6, digest, external);
    expect(limited.map((r) => (r?.value === 403 ? '403' : 'ok'))).toEqual(['ok', 'ok', '403', '403', '403', '403']);
    expect(fuzzyd.runtime.stats.count('check', 'ratelimited')).toBe(4);

    // A larger burst keeps the bucket: the network stays banned until its bucket ends (ratelimit_bucket_ttl).
    await patch({ ratelimit_burst: 50 });
    expect((await check(digest, external))?.value).toBe(403);

    // Back to the configuration, which sets no limit: the network table goes, and with it the ban.
    await patch({ ratelimit_rate: null, ratelimit_burst: null });
    expect((await checks(4, digest, external)).map((r) => r?.value)).toEqual([0, 0, 0, 0]);
    expect(threadCount()).toBeGreaterThan(threadsBefore);
  });

  it('delay set over REST turns a freshly written hash into a miss (flag kept); removing it shows the hit again', async () => {
    const digest = randomDigest();
    await write(digest, 3);
    expect((await checks(4, digest)).map((r) => [r?.value, r?.flag])).toEqual(Array(4).fill([10, 3]));

    const threadsBefore = threadCount();
    await patch({ delay: '1h' });
    const delayed = await checks(6, digest);
    expect(delayed.map((r) => [r?.value, r?.flag, r?.prob])).toEqual(Array(6).fill([0, 3, 0]));
    expect(threadCount()).toBeGreaterThan(threadsBefore);

    await patch({ delay: null });
    expect((await checks(4, digest)).map((r) => r?.value)).toEqual(Array(4).fill(10));
  });

  it('forbidden_ids set over REST hides a hit of that flag, other flags still show; reset shows it again', async () => {
    const hidden = randomDigest();
    const shown = randomDigest();
    await write(hidden, 9);
    await write(shown, 4);
    expect((await check(hidden))?.flag).toBe(9);

    await patch({ forbidden_ids: [9] });
    expect((await checks(6, hidden)).map((r) => [r?.value, r?.flag, r?.prob])).toEqual(Array(6).fill([0, 0, 0]));
    expect((await checks(3, shown)).map((r) => r?.flag)).toEqual([4, 4, 4]);

    const reset = await fuzzyd.request('DELETE', '/api/v1/access/settings/forbidden_ids');
    expect(reset.statusCode).toBe(200);
    expect((await checks(4, hidden)).map((r) => r?.flag)).toEqual([9, 9, 9, 9]);
  });

  it('weak_ids set over REST makes a WRITE of that flag leave another flag in place (decided on the main thread)', async () => {
    const digest = randomDigest();
    await write(digest, 1);
    await patch({ weak_ids: [2] });
    await write(digest, 2);
    expect((await check(digest))?.flag).toBe(1);
    await patch({ weak_ids: null });
    await write(digest, 2);
    expect((await check(digest))?.flag).toBe(2);
  });
});
