/**
 * Per-connection bounds of the TCP transport on real sockets: requests in flight, write backpressure, completion
 * order, late replies, and handler silence. The first group drives a TcpServer with a handler whose replies the test
 * releases by hand (the only way to hold requests in flight on purpose); the last group runs the real fuzzyd.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import type { FrameHandler } from '../../../server/src/tcp/tcp-connection.js';
import { TcpServer } from '../../../server/src/tcp/tcp-server.js';
import { TcpStats } from '../../../server/src/tcp/tcp-stats.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { TcpFuzzyClient, tcpFrame } from '../../helpers/tcp-fuzzy-client.js';

/** Holds every request until the test answers it; payloads starting with 0x00 are never answered (like garbage). */
class HeldHandler implements FrameHandler {
  readonly held: { payload: Buffer; send: (reply: Buffer) => void }[] = [];
  autoReply = false;

  handle(payload: Buffer, _address: string, _port: number, send: (reply: Buffer) => void): boolean {
    if (payload[0] === 0) return false;
    if (this.autoReply) send(Buffer.from(payload));
    else this.held.push({ payload, send });
    return true;
  }

  /** Answers held request `i` with its own payload. */
  answer(i: number): void {
    const { payload, send } = this.held[i];
    send(Buffer.from(payload));
  }
}

const clients: TcpFuzzyClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

async function until(condition: () => boolean, timeoutMs = 3000, pollMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function startServer(handler: FrameHandler, o: { maxInFlight: number; idleTimeoutMs?: number }) {
  const stats = new TcpStats();
  const server = new TcpServer(handler, { isBlocked: () => false }, stats, {
    idleTimeoutMs: o.idleTimeoutMs ?? 5000,
    maxConnections: 16,
    maxInFlight: o.maxInFlight,
    onWarning: () => {},
  });
  const [bound] = await server.listen([{ host: '127.0.0.1', port: 0, family: 4 }]);
  const client = await TcpFuzzyClient.connect(bound.port);
  clients.push(client);
  return { server, stats, client };
}

const label = (i: number): Buffer => Buffer.from(`req-${i}`);

describe('requests in flight per connection', () => {
  it('hands over no more than maxInFlight requests until replies are written, then the rest', async () => {
    const handler = new HeldHandler();
    const { server, client } = await startServer(handler, { maxInFlight: 4 });
    try {
      client.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => tcpFrame(label(i)))));
      await until(() => handler.held.length === 4);
      await new Promise((r) => setTimeout(r, 50));
      expect(handler.held).toHaveLength(4);

      handler.answer(0);
      await until(() => handler.held.length === 5);
      expect((await client.reply())!.toString()).toBe('req-0');
      handler.autoReply = true;
      for (let i = 1; i < 5; i++) handler.answer(i);
      const replies = await client.take(9);
      expect(replies.map((r) => r.toString()).sort()).toEqual(Array.from({ length: 9 }, (_, i) => `req-${i + 1}`));
    } finally {
      await server.close();
    }
  });

  it('writes replies in completion order, not request order', async () => {
    const handler = new HeldHandler();
    const { server, client } = await startServer(handler, { maxInFlight: 8 });
    try {
      client.write(Buffer.concat([0, 1, 2].map((i) => tcpFrame(label(i)))));
      await until(() => handler.held.length === 3);
      for (const i of [2, 0, 1]) handler.answer(i);
      expect((await client.take(3)).map((r) => r.toString())).toEqual(['req-2', 'req-0', 'req-1']);
    } finally {
      await server.close();
    }
  });

  it('discards a reply that completes after its connection closed', async () => {
    const handler = new HeldHandler();
    const { server, stats, client } = await startServer(handler, { maxInFlight: 8 });
    try {
      client.send(label(1));
      await until(() => handler.held.length === 1);
      client.close();
      await until(() => stats.open === 0);
      handler.answer(0);
      expect(stats.repliesDiscarded).toBe(1);
      expect(stats.closed.client).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('does not count requests the handler says it will not answer', async () => {
    const handler = new HeldHandler();
    handler.autoReply = true;
    const { server, client } = await startServer(handler, { maxInFlight: 3 });
    try {
      // Five silent requests would fill a cap of three if they were counted; the pings after them still go through.
      const silent = [1, 2, 3, 4, 5].map((i) => tcpFrame(Buffer.from([0, i])));
      client.write(Buffer.concat([...silent, tcpFrame(label(10)), tcpFrame(label(11))]));
      expect((await client.take(2, 1000)).map((r) => r.toString())).toEqual(['req-10', 'req-11']);
      expect(client.isClosed).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe('against fuzzyd', () => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd();
  });
  afterAll(() => fuzzyd.close());

  it('a client that does not read its replies makes fuzzyd stop reading its requests, and resume when it reads', async () => {
    const total = 100_000;
    const c = await TcpFuzzyClient.connect(fuzzyd.udpPort);
    clients.push(c);
    // Not reading from the start keeps the kernel's receive window small (it only grows as data is consumed).
    c.socket.pause();
    const framesBefore = fuzzyd.runtime.tcpStats.frames;
    const digest = randomDigest();
    const frames: Buffer[] = [];
    for (let i = 0; i < total; i++) frames.push(tcpFrame(encodeRequest({ cmd: Command.Check, digest, tag: i })));
    c.write(Buffer.concat(frames));

    // Wait until fuzzyd stops taking frames (unchanged over 150 ms): replies fill the socket buffers and it pauses.
    let last = -1;
    let unchangedPolls = 0;
    await until(() => {
      const now = fuzzyd.runtime.tcpStats.frames;
      unchangedPolls = now === last && now > framesBefore ? unchangedPolls + 1 : 0;
      last = now;
      return unchangedPolls >= 3;
    }, 20_000, 50).catch(() => undefined);
    const handedOver = fuzzyd.runtime.tcpStats.frames - framesBefore;
    expect(handedOver).toBeGreaterThan(0);
    expect(handedOver).toBeLessThan(total);
    c.socket.resume();
    const replies = await c.take(total, 30_000);
    expect(replies).toHaveLength(total);
    const tags = new Set(replies.map((r) => decodeReply(r).tag));
    expect(tags.size).toBe(total);
  }, 60_000);

  it('answers a long pipeline of WRITEs (replies after commit, more than the in-flight cap) and stores them all', async () => {
    const c = await TcpFuzzyClient.connect(fuzzyd.udpPort);
    clients.push(c);
    const digests = Array.from({ length: 2000 }, () => randomDigest());
    c.write(Buffer.concat(digests.map((digest, i) => tcpFrame(encodeRequest({ cmd: Command.Write, digest, flag: 1, value: 1, tag: i })))));
    const replies = (await c.take(digests.length, 20_000)).map(decodeReply);
    expect(replies).toHaveLength(digests.length);
    expect(replies.every((r) => r.value === 0 && r.prob === 1)).toBe(true);
    for (const digest of [digests[0], digests[999], digests[1999]]) {
      expect(fuzzyd.runtime.backend.check(digest, null)).toMatchObject({ prob: 1 });
    }
  }, 30_000);
});
