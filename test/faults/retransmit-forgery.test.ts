/**
 * The retransmit cache answers only true resends. From one real socket (one source address and port), each request
 * below reuses the tag of a WRITE sent just before it, within the cache's 6 s: before the fix each was acknowledged
 * from the cache and never applied.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { decodeReply, encodeRequest } from '../../shared/protocol/codec.js';
import { Command } from '../../shared/protocol/constants.js';
import { randomDigest } from '../helpers/fuzzy-data.js';
import { startTestFuzzyd, type TestFuzzyd } from '../helpers/in-process-fuzzyd.js';

const TAG = 0x7a6b;
let fuzzyd: TestFuzzyd;
let socket: Socket;
let checker: FuzzyClient;

beforeAll(async () => {
  fuzzyd = await startTestFuzzyd();
  socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  checker = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 1000, retries: 1 });
});

afterAll(async () => {
  socket?.close();
  await checker?.close();
  await fuzzyd?.close();
});

/** Sends from the one socket and waits for the reply. */
function exchange(req: { cmd: number; digest: Buffer; flag?: number; value?: number }): Promise<ReturnType<typeof decodeReply>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no reply')), 1000);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      resolve(decodeReply(msg));
    });
    socket.send(encodeRequest({ ...req, tag: TAG }), fuzzyd.udpPort, '127.0.0.1');
  });
}

describe('requests reusing a WRITE tag from the same source port', () => {
  it('a DEL after the WRITE is applied: the hash is gone', async () => {
    const digest = randomDigest();
    expect((await exchange({ cmd: Command.Write, digest, flag: 1, value: 5 })).prob).toBe(1);
    expect((await exchange({ cmd: Command.Del, digest, flag: 1 })).prob).toBe(1);
    expect((await checker.check(digest)).prob).toBe(0);
  });

  it('a second WRITE with another value is applied: the weights add up', async () => {
    const digest = randomDigest();
    await exchange({ cmd: Command.Write, digest, flag: 1, value: 5 });
    await exchange({ cmd: Command.Write, digest, flag: 1, value: 7 });
    expect((await checker.check(digest)).value).toBe(12);
  });

  it('a WRITE of another digest sharing the first 16 bytes is stored', async () => {
    const first = randomDigest();
    const second = Buffer.concat([first.subarray(0, 16), randomDigest().subarray(16)]);
    await exchange({ cmd: Command.Write, digest: first, flag: 1, value: 5 });
    await exchange({ cmd: Command.Write, digest: second, flag: 1, value: 5 });
    expect((await checker.check(second)).prob).toBe(1);
  });

  it('a byte-identical resend is answered without adding the weight twice', async () => {
    const digest = randomDigest();
    await exchange({ cmd: Command.Write, digest, flag: 1, value: 5 });
    expect((await exchange({ cmd: Command.Write, digest, flag: 1, value: 5 })).prob).toBe(1);
    expect((await checker.check(digest)).value).toBe(5);
  });
});
