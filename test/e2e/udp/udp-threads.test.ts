import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import type { ShingleBlock } from '../../../shared/protocol/shingle-block.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { nearDuplicate, randomDigest, randomShingles } from '../../helpers/fuzzy-data.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

/**
 * UDP threads (udp-threads.ts): two threads on one port. Every exchange below comes from a fresh socket, so the
 * kernel spreads them over both threads; each must see every acknowledged write at once, whichever thread (or the
 * main thread) took the write.
 */
let fuzzyd: TestFuzzyd;
let writer: FuzzyClient;

beforeAll(async () => {
  fuzzyd = await startTestFuzzyd({ FUZZYD_UDP_THREADS: '2' });
  // Generous: 1500 writes in flight at once wait for fsynced group commits on a machine other tests share.
  writer = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 10_000, retries: 1 });
});
afterAll(async () => {
  await writer.close();
  await fuzzyd.close();
});

async function checkFromFreshSockets(digest: Buffer, shingles: ShingleBlock | null, n: number) {
  const replies = await Promise.all(
    Array.from({ length: n }, (_, i) => udpExchange(encodeRequest({ cmd: Command.Check, digest, tag: i, shingles }), fuzzyd.udpPort)),
  );
  return replies.map((r) => (r ? decodeReply(r) : null));
}

describe('UDP threads', () => {
  it('spread CHECKs from many sources over both threads, which answer them themselves', async () => {
    const before = fuzzyd.runtime.stats.handledPerThread();
    const replies = await checkFromFreshSockets(randomDigest(), null, 200);
    expect(replies.every((r) => r !== null && r.prob === 0)).toBe(true);
    const after = fuzzyd.runtime.stats.handledPerThread();
    expect(after).toHaveLength(3);
    const delta = after.map((n, i) => n - before[i]);
    // A miss never needs the main thread; each UDP thread got a share of the 200 sources.
    expect(delta[0]).toBe(0);
    expect(delta[1]).toBeGreaterThan(0);
    expect(delta[2]).toBeGreaterThan(0);
    expect(delta[1] + delta[2]).toBe(200);
  });

  it('see an acknowledged write at once on every thread, directly and by shingles, and its delete', async () => {
    const digest = randomDigest();
    const shingles = randomShingles();
    await writer.write(digest, 5, 42, shingles.toBigInts());
    const direct = await checkFromFreshSockets(digest, null, 60);
    expect(direct.every((r) => r?.prob === 1 && r.flag === 5 && r.value === 42)).toBe(true);
    const near = await checkFromFreshSockets(randomDigest(), nearDuplicate(shingles, 4), 60);
    expect(near.every((r) => r !== null && r.prob === 28 / 32 && r.value === 42)).toBe(true);
    await writer.del(digest);
    const gone = await checkFromFreshSockets(digest, null, 60);
    expect(gone.every((r) => r?.prob === 0)).toBe(true);
  });

  it('forward writes and STAT to the main thread and relay its answers', async () => {
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        udpExchange(encodeRequest({ cmd: Command.Write, digest: randomDigest(), tag: i, flag: 3, value: 1 }), fuzzyd.udpPort),
      ),
    );
    expect(replies.every((r) => r !== null && decodeReply(r).value === 0 && decodeReply(r).prob === 1)).toBe(true);
    const stat = decodeReply((await udpExchange(encodeRequest({ cmd: Command.Stat, digest: Buffer.alloc(64), tag: 1 }), fuzzyd.udpPort))!);
    expect(stat.flag).toBeGreaterThanOrEqual(40);
    expect(fuzzyd.runtime.stats.count('write', 'ok')).toBeGreaterThanOrEqual(40);
  });

  it('keep answering while the index grows under a stream of shingled writes', async () => {
    const kept = randomDigest();
    await writer.write(kept, 1, 9);
    // 1500 shingled writes, 50 at a time (a burst of all of them would overflow the socket's receive buffer, capped
    // by net.core.rmem_max); each one grows the 32 shingle tables a little.
    const writes = (async () => {
      for (let batch = 0; batch < 30; batch++) {
        await Promise.all(Array.from({ length: 50 }, () => writer.write(randomDigest(), 2, 1, randomShingles().toBigInts())));
      }
    })();
    const during: Awaited<ReturnType<typeof checkFromFreshSockets>> = [];
    for (let round = 0; round < 10; round++) during.push(...(await checkFromFreshSockets(kept, null, 10)));
    await writes;
    // Declined reads (a view older than the index's layout) are answered by the main thread: never a miss.
    expect(during.every((r) => r?.prob === 1 && r.value === 9)).toBe(true);
  });

  it('say on /health how many UDP threads serve', async () => {
    const res = await fuzzyd.http.inject({ method: 'GET', url: '/health' });
    expect(JSON.parse(res.body).checks.udp.detail).toContain('(2 UDP threads)');
  });
});
