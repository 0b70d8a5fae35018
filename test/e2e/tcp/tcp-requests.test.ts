/**
 * rspamd ≥ 3.14's TCP transport on the fuzzy port (src/fuzzy_storage.c): the same requests as UDP in u16-LE-length
 * frames, pipelined, answered with the bytes UDP would send.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { clientSharedKey, decryptReply, encryptRequest, generateRawKeypair } from '../../../shared/protocol/cryptobox.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest, randomShingles } from '../../helpers/fuzzy-data.js';
import { TcpFuzzyClient, tcpFrame } from '../../helpers/tcp-fuzzy-client.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

// The test keypair of the UDP encryption suite (FUZZYD_KEYPAIR format: privkey:pubkey, rspamd's base32).
const privkey = 'ekd3x36tfa5gd76t6pa8hqif3ott7n1siuux68exbkk7ukscte9y';
const pubkey = 'm8kneubpcjsb8sbsoj7jy7azj9fdd3xmj63txni86a8ye9ncomny';

let fuzzyd: TestFuzzyd;
let udp: FuzzyClient;
const open: TcpFuzzyClient[] = [];

async function tcpClient(): Promise<TcpFuzzyClient> {
  const c = await TcpFuzzyClient.connect(fuzzyd.udpPort);
  open.push(c);
  return c;
}

beforeAll(async () => {
  fuzzyd = await startTestFuzzyd({ FUZZYD_KEYPAIR: `${privkey}:${pubkey}` });
  udp = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 1000, retries: 1 });
});
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});
afterAll(async () => {
  await udp.close();
  await fuzzyd.close();
});

describe('TCP requests on the UDP port', () => {
  it('listens on TCP at the very port UDP got', () => {
    expect(fuzzyd.runtime.tcp?.boundAddresses.map((a) => a.port)).toEqual([fuzzyd.udpPort]);
  });

  it('answers a CHECK with a 96-byte reply frame holding exactly the bytes UDP answers', async () => {
    const digest = randomDigest();
    await udp.write(digest, 3, 11);
    const request = encodeRequest({ cmd: Command.Check, digest, tag: 0xc0ffee });
    const viaUdp = await udpExchange(request, fuzzyd.udpPort);

    const c = await tcpClient();
    c.send(request);
    const viaTcp = await c.reply();
    expect(viaTcp).not.toBeNull();
    expect(viaTcp!.length).toBe(96);
    expect(viaTcp!.equals(viaUdp!)).toBe(true);
    expect(decodeReply(viaTcp!)).toMatchObject({ value: 11, flag: 3, prob: 1, tag: 0xc0ffee });
  });

  it('a WRITE over TCP is acknowledged and then seen by a CHECK over UDP', async () => {
    const digest = randomDigest();
    const shingles = randomShingles();
    const c = await tcpClient();
    c.send(encodeRequest({ cmd: Command.Write, digest, flag: 5, value: 20, tag: 41, shingles }));
    const ack = decodeReply((await c.reply())!);
    expect(ack).toMatchObject({ value: 0, prob: 1, flag: 5, tag: 41 });
    expect(await udp.check(digest)).toMatchObject({ prob: 1, flag: 5, value: 20 });
  });

  it('answers every frame of one pipelined write, each matched by its tag', async () => {
    const digests = Array.from({ length: 6 }, () => randomDigest());
    await udp.write(digests[0], 1, 7);
    const requests = [
      ...digests.map((digest, i) => encodeRequest({ cmd: Command.Check, digest, tag: 1000 + i })),
      encodeRequest({ cmd: Command.Write, digest: digests[5], flag: 2, value: 3, tag: 2000 }),
      encodeRequest({ cmd: Command.Ping, digest: randomDigest(), value: 99, tag: 3000 }),
      encodeRequest({ cmd: Command.Stat, digest: Buffer.alloc(64), tag: 4000 }),
    ];
    const c = await tcpClient();
    c.write(Buffer.concat(requests.map(tcpFrame)));
    const replies = (await c.take(requests.length)).map(decodeReply);
    expect(replies).toHaveLength(requests.length);
    const byTag = new Map(replies.map((r) => [r.tag, r]));
    expect([...byTag.keys()].sort((a, b) => a - b)).toEqual([1000, 1001, 1002, 1003, 1004, 1005, 2000, 3000, 4000]);
    expect(byTag.get(1000)).toMatchObject({ prob: 1, value: 7 });
    expect(byTag.get(1001)!.prob).toBe(0);
    expect(byTag.get(2000)).toMatchObject({ value: 0, prob: 1 });
    expect(byTag.get(3000)).toMatchObject({ value: 99, prob: 1 });
    expect(byTag.get(4000)!.prob).toBe(1);
  });

  it('answers a request written one byte at a time', async () => {
    const digest = randomDigest();
    await udp.write(digest, 4, 2);
    const wire = tcpFrame(encodeRequest({ cmd: Command.Check, digest, tag: 77 }));
    const c = await tcpClient();
    c.socket.setNoDelay(true);
    for (const byte of wire) {
      c.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    expect(decodeReply((await c.reply())!)).toMatchObject({ tag: 77, prob: 1, flag: 4, value: 2 });
  });

  it('a malformed payload gets no reply and the connection goes on serving the next frame', async () => {
    const invalidBefore = fuzzyd.runtime.stats.invalid;
    const c = await tcpClient();
    c.send(Buffer.alloc(10, 0x42));
    c.send(Buffer.from('rsfe'.padEnd(200, 'x')));
    expect(await c.reply(300)).toBeNull();
    expect(c.isClosed).toBe(false);
    expect(fuzzyd.runtime.stats.invalid - invalidBefore).toBe(2);
    c.send(encodeRequest({ cmd: Command.Ping, digest: randomDigest(), value: 5, tag: 8 }));
    expect(decodeReply((await c.reply())!)).toMatchObject({ tag: 8, value: 5 });
  });

  it('serves an encrypted request and encrypts the reply with the same key', async () => {
    const digest = randomDigest();
    await udp.write(digest, 6, 9);
    const client = generateRawKeypair();
    const nm = clientSharedKey(pubkey, client);
    const c = await tcpClient();
    c.send(encryptRequest(encodeRequest({ cmd: Command.Check, digest, tag: 0xe0c }), pubkey, client, nm));
    const sealed = await c.reply();
    expect(sealed).not.toBeNull();
    expect(sealed!.subarray(0, 4).toString()).not.toBe('rsfe');
    expect(decodeReply(decryptReply(sealed!, nm))).toMatchObject({ tag: 0xe0c, prob: 1, flag: 6, value: 9 });
  });

  it('counts frames and connections for /metrics', async () => {
    const c = await tcpClient();
    c.send(encodeRequest({ cmd: Command.Ping, digest: randomDigest(), tag: 9 }));
    await c.reply();
    const address = fuzzyd.http.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toMatch(/^fuzzyd_tcp_connections_total\{result="accepted"\} [1-9]\d*$/m);
    expect(text).toMatch(/^fuzzyd_tcp_frames_total [1-9]\d*$/m);
    expect(text).toMatch(/^fuzzyd_tcp_open_connections [1-9]\d*$/m);
    expect(text).toMatch(/^fuzzyd_tcp_closed_total\{reason="idle"\} \d+$/m);
  });
});
