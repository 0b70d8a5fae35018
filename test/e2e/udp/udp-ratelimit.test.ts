/**
 * Rate limits over real sockets (docs/spec/access-controls.md §4, rspamd ≥ 3.6 / 4.1.5 semantics), fuzzyd in process.
 * Loopback is exempt as in rspamd ≥ 3.14, so the limited client sends from this machine's first non-internal IPv4
 * address (fuzzyd listens on 0.0.0.0); without one, those cases are skipped. Rate 0 where a test counts exactly:
 * with any rate above 0 the leak between two requests (level 2.9999… < 3) lets one more through.
 */
import { networkInterfaces } from 'node:os';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { TcpFuzzyClient } from '../../helpers/tcp-fuzzy-client.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
if (!external) console.warn('udp-ratelimit: this machine has no non-loopback IPv4 address; the cases that need one are skipped');
const withExternal = external ? describe : describe.skip;

const request = (cmd: number, tag = 1, digest = randomDigest()): Buffer => encodeRequest({ cmd, digest, tag });

/** One exchange from `from` to fuzzyd at `host`; the decoded reply, or null for silence. */
async function exchange(fuzzyd: TestFuzzyd, cmd: number, from: string, host = from, timeoutMs = 400) {
  const raw = await udpExchange(request(cmd), fuzzyd.udpPort, { from, host, timeoutMs });
  return raw ? decodeReply(raw) : null;
}

async function sequence(fuzzyd: TestFuzzyd, n: number, from: string, host = from) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await exchange(fuzzyd, Command.Check, from, host));
  return out.map((r) => (r === null ? 'none' : r.value === 403 ? '403' : 'ok'));
}

withExternal.each([0, 2])('global rate limit with %i UDP threads', (threads) => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({
      FUZZYD_UDP: '0.0.0.0:0',
      FUZZYD_UDP_THREADS: String(threads),
      FUZZYD_RATELIMIT_BURST: '3',
      FUZZYD_RATELIMIT_RATE: '0',
    });
  });
  afterAll(async () => fuzzyd?.close());

  it('answers 3 CHECKs from a network, then 403 / prob 0 / flag 0 with the digest echoed', async () => {
    expect(await sequence(fuzzyd, 3, external!)).toEqual(['ok', 'ok', 'ok']);
    const digest = randomDigest();
    const raw = await udpExchange(encodeRequest({ cmd: Command.Check, digest, tag: 77, flag: 5 }), fuzzyd.udpPort, { from: external, host: external });
    expect(decodeReply(raw!)).toMatchObject({ value: 403, prob: 0, flag: 0, tag: 77 });
    expect(decodeReply(raw!).digest.equals(digest)).toBe(true);
    expect(fuzzyd.runtime.stats.count('check', 'ratelimited')).toBe(1);
  });

  it('drops PING and STAT from the banned network (rspamd ≥ 4.1.3) and keeps refusing CHECKs', async () => {
    expect(await exchange(fuzzyd, Command.Ping, external!)).toBeNull();
    expect(await exchange(fuzzyd, Command.Stat, external!)).toBeNull();
    expect(await sequence(fuzzyd, 2, external!)).toEqual(['403', '403']);
    expect(fuzzyd.runtime.stats.count('ping', 'ratelimited')).toBe(1);
    expect(fuzzyd.runtime.stats.count('stat', 'ratelimited')).toBe(1);
  });

  it('serves loopback meanwhile (exempt, rspamd ≥ 3.14), and never charges WRITE', async () => {
    expect(await sequence(fuzzyd, 6, '127.0.0.1', '127.0.0.1')).toEqual(Array(6).fill('ok'));
    const write = await udpExchange(encodeRequest({ cmd: Command.Write, digest: randomDigest(), tag: 3, flag: 1, value: 1 }), fuzzyd.udpPort);
    expect(decodeReply(write!).value).toBe(0);
  });

  it('closes a TCP connection from the banned network at accept (rspamd ≥ 3.14): one bucket for every transport', async () => {
    const tcp = await TcpFuzzyClient.connect(fuzzyd.udpPort, { host: external, from: external });
    expect(await tcp.closesWithin(1000)).toBe(true);
    expect(fuzzyd.runtime.tcpStats.refusedRateLimited).toBe(1);
  });

  it('shows refusals on /metrics', async () => {
    const metrics = await fuzzyd.request('GET', '/metrics');
    expect(metrics.body).toMatch(/^fuzzyd_rate_limited_total [1-9]/m);
  });
});

withExternal('the limit holds across UDP threads', () => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({ FUZZYD_UDP: '0.0.0.0:0', FUZZYD_UDP_THREADS: '2', FUZZYD_RATELIMIT_BURST: '10', FUZZYD_RATELIMIT_RATE: '0' });
  });
  afterAll(async () => fuzzyd?.close());

  it('16 sockets of one network, spread over both threads, get exactly burst answers in all', async () => {
    const before = fuzzyd.runtime.stats.handledPerThread();
    const replies = await Promise.all(
      Array.from({ length: 16 }, async () => {
        const out = [];
        for (let i = 0; i < 4; i++) out.push(await exchange(fuzzyd, Command.Check, external!));
        return out;
      }),
    );
    const flat = replies.flat();
    const after = fuzzyd.runtime.stats.handledPerThread();
    // Both threads took part: with a bucket per thread, 20 would have been answered.
    expect(after[1] - before[1]).toBeGreaterThan(0);
    expect(after[2] - before[2]).toBeGreaterThan(0);
    expect(flat.filter((r) => r && r.value !== 403)).toHaveLength(10);
    expect(flat.filter((r) => r?.value === 403)).toHaveLength(54);
  });
});

withExternal('a request a UDP thread forwards to the main thread', () => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({ FUZZYD_UDP: '0.0.0.0:0', FUZZYD_UDP_THREADS: '2', FUZZYD_RATELIMIT_BURST: '4', FUZZYD_RATELIMIT_RATE: '0' });
  });
  afterAll(async () => fuzzyd?.close());

  it('is charged once: STAT (always forwarded) twice, then two CHECKs still answered', async () => {
    for (let i = 0; i < 2; i++) expect(await exchange(fuzzyd, Command.Stat, external!)).not.toBeNull();
    expect(await sequence(fuzzyd, 3, external!)).toEqual(['ok', 'ok', '403']);
  });
});

withExternal('ratelimit_log_only', () => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({
      FUZZYD_UDP: '0.0.0.0:0',
      FUZZYD_UDP_THREADS: '2',
      FUZZYD_RATELIMIT_BURST: '2',
      FUZZYD_RATELIMIT_RATE: '0',
      FUZZYD_RATELIMIT_LOG_ONLY: 'true',
      FUZZYD_LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => fuzzyd?.close());

  it('refuses nothing, counts what it would refuse, and logs the ban once', async () => {
    expect(await sequence(fuzzyd, 8, external!)).toEqual(Array(8).fill('ok'));
    expect(await exchange(fuzzyd, Command.Ping, external!)).not.toBeNull();
    expect(fuzzyd.runtime.stats.overLimit).toBe(7);
    expect(fuzzyd.runtime.stats.count('check', 'ratelimited')).toBe(0);
    await new Promise((r) => setTimeout(r, 100)); // a thread's log line crosses to the main thread
    const bans = fuzzyd.logs.filter((l) => l.includes('rate limit: network banned'));
    expect(bans).toHaveLength(1);
    expect(JSON.parse(bans[0])).toMatchObject({ level: 30, network: `${external!.split('.').slice(0, 3).join('.')}.0/24`, logOnly: true });
  });

  it('still closes a TCP connection from the banned network, as rspamd ≥ 3.14 does under log_only', async () => {
    const tcp = await TcpFuzzyClient.connect(fuzzyd.udpPort, { host: external, from: external });
    expect(await tcp.closesWithin(1000)).toBe(true);
  });
});

describe('local sources limited as rspamd 3.4–3.13 (ratelimit_exempt_local = false), mask 32, whitelist', () => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({
      FUZZYD_UDP_THREADS: '2',
      FUZZYD_RATELIMIT_BURST: '2',
      FUZZYD_RATELIMIT_RATE: '0',
      FUZZYD_RATELIMIT_NETWORK_MASK: '32',
      FUZZYD_RATELIMIT_EXEMPT_LOCAL: 'false',
      FUZZYD_RATELIMIT_WHITELIST: '127.0.0.4',
    });
  });
  afterAll(async () => fuzzyd?.close());

  it('limits one network while another is served and a whitelisted source never is', async () => {
    expect(await sequence(fuzzyd, 4, '127.0.0.2', '127.0.0.1')).toEqual(['ok', 'ok', '403', '403']);
    expect(await sequence(fuzzyd, 2, '127.0.0.3', '127.0.0.1')).toEqual(['ok', 'ok']);
    expect(await sequence(fuzzyd, 6, '127.0.0.4', '127.0.0.1')).toEqual(Array(6).fill('ok'));
  });

  it('charges a TCP connection once, then each CHECK frame (burst 2: the connection and one CHECK)', async () => {
    const tcp = await TcpFuzzyClient.connect(fuzzyd.udpPort, { from: '127.0.0.5' });
    tcp.send(request(Command.Check, 1));
    tcp.send(request(Command.Check, 2));
    const replies = (await tcp.take(2)).map((r) => decodeReply(r));
    tcp.socket.destroy();
    expect(replies.map((r) => [r.tag, r.value])).toEqual([
      [1, 0],
      [2, 403],
    ]);
  });
});

describe.each([0, 2])('per-key rate limits, %i UDP threads', (threads) => {
  const dir = tempDir();
  const limited = generateKeypair(); // ratelimit = "2 / 1h"
  const exact = generateKeypair(); // ratelimit { burst = 2; rate = 0; }
  const other = generateKeypair();
  let fuzzyd: TestFuzzyd;
  const clients: FuzzyClient[] = [];
  const client = (pubkey?: string): FuzzyClient => {
    const c = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: pubkey, timeoutMs: 400, retries: 0 });
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    writeFileSync(
      dir.file('fuzzyd.conf'),
      [
        `keypair { privkey = "${limited.privkey}"; pubkey = "${limited.pubkey}"; extensions { name = "metered"; ratelimit = "2 / 1h"; } }`,
        `keypair { privkey = "${exact.privkey}"; pubkey = "${exact.pubkey}"; extensions { ratelimit { burst = 2; rate = 0; } } }`,
        `keypair { privkey = "${other.privkey}"; pubkey = "${other.pubkey}"; }`,
      ].join('\n'),
    );
    fuzzyd = await startTestFuzzyd({ FUZZYD_CONFIG: dir.file('fuzzyd.conf'), FUZZYD_UDP_THREADS: String(threads) });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fuzzyd?.close();
    dir.remove();
  });

  const values = async (pubkey: string, n: number): Promise<number[]> => {
    // A new client (socket) each time, so with threads the CHECKs land on different threads.
    const out = [];
    for (let i = 0; i < n; i++) out.push((await client(pubkey).check(randomDigest())).value);
    return out;
  };

  it('refuses the third encrypted CHECK with rate 0 (from loopback too: key buckets have no exemption), from any socket', async () => {
    expect(await values(exact.pubkey, 4)).toEqual([0, 0, 403, 403]);
  });

  it('"2 / 1h" passes 2, and a third only by what leaked since (rspamd\'s math: level 1.9999… < 2), then refuses', async () => {
    const got = await values(limited.pubkey, 5);
    expect(got.slice(0, 2)).toEqual([0, 0]);
    expect(got.slice(3)).toEqual([403, 403]);
    expect(got.filter((v) => v === 0).length).toBeLessThanOrEqual(3);
  });

  it('does not limit another key, plaintext requests, or the limited key\'s PING', async () => {
    for (let i = 0; i < 3; i++) expect((await client(other.pubkey).check(randomDigest())).value).toBe(0);
    for (let i = 0; i < 3; i++) expect((await client().check(randomDigest())).value).toBe(0);
    expect((await client(limited.pubkey).ping(5)).value).toBe(5);
  });
});
