/**
 * The bounds of the TCP transport: rspamd's frame-length rule (0 or > 8192 closes), its `tcp_timeout`, blocked
 * sources refused at accept, and fuzzyd's `tcp_max_connections` and `tcp` switch.
 */
import { connect, createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { TcpFuzzyClient } from '../../helpers/tcp-fuzzy-client.js';
import { freeUdpPort } from '../../helpers/ports.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

const open: TcpFuzzyClient[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

async function tcpClient(port: number, from?: string): Promise<TcpFuzzyClient> {
  const c = await TcpFuzzyClient.connect(port, { from });
  open.push(c);
  return c;
}

function ping(tag: number): Buffer {
  return encodeRequest({ cmd: Command.Ping, digest: randomDigest(), value: tag, tag });
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('frame length, idle timeout, blocked sources', () => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({ FUZZYD_TCP_TIMEOUT: '0.3s', FUZZYD_BLOCKED: '127.0.0.2' });
  });
  afterAll(() => fuzzyd.close());

  it('a zero-length frame closes the connection', async () => {
    const c = await tcpClient(fuzzyd.udpPort);
    c.write(Buffer.from([0, 0]));
    expect(await c.closesWithin(1000)).toBe(true);
    expect(fuzzyd.runtime.tcpStats.closed['zero-length']).toBeGreaterThan(0);
  });

  it('a frame longer than 8192 bytes closes the connection without waiting for its body', async () => {
    const c = await tcpClient(fuzzyd.udpPort);
    const header = Buffer.alloc(2);
    header.writeUInt16LE(9000, 0);
    c.write(header);
    expect(await c.closesWithin(1000)).toBe(true);
    expect(fuzzyd.runtime.tcpStats.closed.oversized).toBeGreaterThan(0);
  });

  it('replies to the frames before a bad length, then closes', async () => {
    const c = await tcpClient(fuzzyd.udpPort);
    const good = ping(21);
    const header = Buffer.alloc(2);
    header.writeUInt16LE(good.length, 0);
    c.write(Buffer.concat([header, good, Buffer.from([0xff, 0xff])]));
    const reply = await c.reply(1000);
    expect(reply && decodeReply(reply).tag).toBe(21);
    expect(await c.closesWithin(1000)).toBe(true);
  });

  it('closes a connection idle for tcp_timeout, counted from the last bytes received', async () => {
    const c = await tcpClient(fuzzyd.udpPort);
    // Activity every 150 ms keeps it open past several timeouts' worth of wall time.
    for (let i = 0; i < 4; i++) {
      c.send(ping(i + 1));
      expect(decodeReply((await c.reply(1000))!).tag).toBe(i + 1);
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(c.isClosed).toBe(false);
    const idleBefore = fuzzyd.runtime.tcpStats.closed.idle;
    expect(await c.closesWithin(2000)).toBe(true);
    expect(fuzzyd.runtime.tcpStats.closed.idle).toBe(idleBefore + 1);
  });

  it('refuses a blocked source at accept, before it can send anything', async () => {
    const before = fuzzyd.runtime.tcpStats.refusedBlocked;
    const c = await tcpClient(fuzzyd.udpPort, '127.0.0.2');
    c.send(ping(3));
    expect(await c.closesWithin(1000)).toBe(true);
    expect(await c.reply(100)).toBeNull();
    expect(fuzzyd.runtime.tcpStats.refusedBlocked).toBe(before + 1);
    // Other loopback sources are served.
    const ok = await tcpClient(fuzzyd.udpPort, '127.0.0.3');
    ok.send(ping(4));
    expect(decodeReply((await ok.reply())!).tag).toBe(4);
  });
});

describe('tcp_max_connections', () => {
  let fuzzyd: TestFuzzyd;
  beforeAll(async () => {
    fuzzyd = await startTestFuzzyd({ FUZZYD_TCP_MAX_CONNECTIONS: '2' });
  });
  afterAll(() => fuzzyd.close());

  it('destroys connections beyond the cap at once, and accepts again once one closes', async () => {
    const first = await tcpClient(fuzzyd.udpPort);
    const second = await tcpClient(fuzzyd.udpPort);
    for (const [i, c] of [first, second].entries()) {
      c.send(ping(10 + i));
      expect(decodeReply((await c.reply())!).tag).toBe(10 + i);
    }
    const third = await tcpClient(fuzzyd.udpPort);
    expect(await third.closesWithin(1000)).toBe(true);
    expect(fuzzyd.runtime.tcpStats.refusedLimit).toBe(1);
    expect(first.isClosed || second.isClosed).toBe(false);

    first.close();
    await until(() => fuzzyd.runtime.tcpStats.open === 1);
    const fourth = await tcpClient(fuzzyd.udpPort);
    fourth.send(ping(14));
    expect(decodeReply((await fourth.reply())!).tag).toBe(14);
  });
});

describe('tcp switch and shutdown', () => {
  it('FUZZYD_TCP=false leaves the TCP port closed while UDP serves', async () => {
    const fuzzyd = await startTestFuzzyd({ FUZZYD_TCP: 'false' });
    try {
      expect(fuzzyd.runtime.tcp).toBeNull();
      const refused = await new Promise<string>((resolve) => {
        const s = connect({ port: fuzzyd.udpPort, host: '127.0.0.1' });
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
      expect(await udpExchange(ping(1), fuzzyd.udpPort)).not.toBeNull();
    } finally {
      await fuzzyd.close();
    }
  });

  it('a fixed port already taken for TCP fails the start, naming the address, and leaves the UDP port free', async () => {
    const port = await freeUdpPort();
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', () => resolve()));
    try {
      await expect(startTestFuzzyd({ FUZZYD_UDP: `127.0.0.1:${port}` })).rejects.toThrow(`cannot listen on TCP 127.0.0.1:${port}`);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
    const fuzzyd = await startTestFuzzyd({ FUZZYD_UDP: `127.0.0.1:${port}` });
    try {
      expect(fuzzyd.runtime.tcp?.boundAddresses.map((a) => a.port)).toEqual([port]);
    } finally {
      await fuzzyd.close();
    }
  });

  it('stopping fuzzyd closes open TCP connections', async () => {
    const fuzzyd = await startTestFuzzyd();
    const c = await TcpFuzzyClient.connect(fuzzyd.udpPort);
    c.send(ping(2));
    expect(await c.reply()).not.toBeNull();
    await fuzzyd.close();
    expect(await c.closesWithin(1000)).toBe(true);
    expect(fuzzyd.runtime.tcpStats.closed.shutdown).toBe(1);
  });
});
