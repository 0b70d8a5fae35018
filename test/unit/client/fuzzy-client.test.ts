/** FuzzyClient against a real UDP socket scripted per test: tag matching, retransmission, timeouts, encryption. */
import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientClosedError, ClientInputError, TimeoutError } from '../../../shared/client/client-errors.js';
import { FuzzyClient, type FuzzyClientOptions } from '../../../shared/client/fuzzy-client.js';
import { encodeReply, replySize } from '../../../shared/protocol/codec.js';
import { FuzzyCrypto, generateKeypair, KeyFormatError } from '../../../shared/protocol/cryptobox.js';
import { answer, UdpResponder, type Script } from './udp-responder.js';

const digest = Buffer.from(Array.from({ length: 64 }, (_, i) => 255 - i));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(script: Script, opts: Partial<FuzzyClientOptions> = {}, host = '127.0.0.1') {
  const server = await UdpResponder.start(script, host);
  // Generous defaults so a loaded CI machine does not turn a slow answer into a retransmission; tests about
  // timing pass their own.
  const client = new FuzzyClient({ host, port: server.port, timeoutMs: 500, retries: 2, ...opts });
  cleanups.push(() => server.close(), () => client.close());
  return { server, client };
}

describe('FuzzyClient requests', () => {
  it('sends each command with the right fields and resolves with the decoded reply', async () => {
    const { server, client } = await setup((got) => (got.req ? [answer(got.req, { value: 42, prob: 0.5 })] : []));
    const shingles = Array.from({ length: 32 }, (_, i) => (1n << 63n) + BigInt(i));
    const check = await client.check(digest.toString('hex'), shingles);
    expect(check).toMatchObject({ value: 42, prob: 0.5, extended: true });
    expect(check.digest.equals(digest)).toBe(true);
    await client.write(digest, 7, -3);
    await client.del(digest, 9);
    const stat = await client.stat();
    await client.ping(1234);
    const reqs = server.received.map((r) => r.req!);
    expect(reqs.map((r) => [r.version, r.cmd, r.flag, r.value])).toEqual([
      [4, 0, 0, 0],
      [4, 1, 7, -3],
      [4, 2, 9, 0],
      [4, 3, 0, 0],
      [4, 4, 0, 1234],
    ]);
    expect(reqs[0].shingles?.toBigInts()).toEqual(shingles);
    expect(reqs[1].shingles).toBeNull();
    expect(reqs[3].digest.equals(Buffer.alloc(64))).toBe(true);
    expect(stat.tag).toBe(reqs[3].tag);
  });

  it('speaks v3 when asked and accepts the 16-byte reply', async () => {
    const { server, client } = await setup((got) => [answer(got.req!, { value: 5, flag: 7 })], { version: 3 });
    const r = await client.check(digest);
    expect(server.received[0].raw).toHaveLength(76);
    expect(server.received[0].req!.version).toBe(3);
    expect(r).toMatchObject({ value: 5, flag: 7, extended: false });
  });

  it('matches out-of-order replies by tag and ignores unknown tags and garbage', async () => {
    const n = 40;
    const { client } = await setup((got, self) => {
      if (self.received.length < n) return;
      // Everything arrived: answer in reverse order, each weight = the position the request came in.
      const out = [Buffer.from('not a reply'), encodeReply({ value: 1, flag: 0, tag: 0xdeadbeef, prob: 1, digest, ts: 0 }, 96)];
      for (let i = n - 1; i >= 0; i--) out.push(answer(self.received[i].req!, { value: i }));
      return out;
    });
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => client.write(digest, 1, i)));
    // The i-th write carried value i and must get back the reply to its own tag.
    expect(replies.map((r) => r.value)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(new Set(replies.map((r) => r.tag)).size).toBe(n);
    expect(client.inFlight).toBe(0);
  });
});

describe('FuzzyClient retransmission and timeouts', () => {
  it('retransmits the same datagram after a timeout and resolves on the answer to the copy', async () => {
    const { server, client } = await setup((got, self) => (self.received.length === 2 ? [answer(got.req!)] : []), { timeoutMs: 80, retries: 5 });
    const r = await client.check(digest);
    expect(server.received.length).toBeGreaterThanOrEqual(2);
    for (const copy of server.received) expect(copy.raw.equals(server.received[0].raw)).toBe(true);
    expect(r.tag).toBe(server.received[0].req!.tag);
  });

  it('rejects with TimeoutError after 1 + retries attempts', async () => {
    const { server, client } = await setup(() => [], { timeoutMs: 40, retries: 2 });
    const started = Date.now();
    const err = await client.stat().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect((err as TimeoutError).attempts).toBe(3);
    expect(server.received).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('never sees a reply sent from another address than the one it sent to (connected socket, spec §1)', async () => {
    const other = createSocket('udp4');
    await new Promise<void>((r) => other.bind(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => other.close(() => r())));
    const { client } = await setup(
      (got) => {
        other.send(answer(got.req!), got.from.port, got.from.address);
      },
      { timeoutMs: 80, retries: 0 },
    );
    await expect(client.check(digest)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('close() rejects what is in flight with ClientClosedError, and later calls too', async () => {
    const { client } = await setup(() => [], { timeoutMs: 5000 });
    const pending = client.check(digest);
    await new Promise((r) => setTimeout(r, 20));
    await client.close();
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    await expect(client.stat()).rejects.toBeInstanceOf(ClientClosedError);
  });
});

describe('FuzzyClient input, IPv6 and encryption', () => {
  it.each([
    ['a short hex digest', (c: FuzzyClient) => c.check('abcd')],
    ['a 63-byte digest', (c: FuzzyClient) => c.check(Buffer.alloc(63))],
    ['flag 256', (c: FuzzyClient) => c.write(digest, 256, 1)],
    ['31 shingles', (c: FuzzyClient) => c.check(digest, Array(31).fill(0n))],
  ])('rejects %s with ClientInputError before sending', async (_label, call) => {
    const { server, client } = await setup(() => []);
    await expect(call(client)).rejects.toBeInstanceOf(ClientInputError);
    expect(server.received).toHaveLength(0);
  });

  it('talks to an IPv6 server, with or without brackets', async (ctx) => {
    const probe = createSocket('udp6');
    const ok = await new Promise<boolean>((r) => {
      probe.once('error', () => r(false));
      probe.bind(0, '::1', () => r(true));
    });
    probe.close();
    if (!ok) ctx.skip();
    const server = await UdpResponder.start((got) => [answer(got.req!, { value: 6 })], '::1');
    cleanups.push(() => server.close());
    for (const host of ['::1', '[::1]']) {
      const client = new FuzzyClient({ host, port: server.port, timeoutMs: 500 });
      cleanups.push(() => client.close());
      expect((await client.ping()).value).toBe(6);
    }
  });

  it('encrypts to the server key and decrypts the encrypted reply; plaintext replies are ignored', async () => {
    const kp = generateKeypair();
    const crypto = await FuzzyCrypto.create([kp]);
    let plainReplies = false;
    const { server, client } = await setup(
      (got) => {
        const { plain, nm } = crypto.decryptRequest(got.raw);
        const reply = encodeReply({ value: 9, flag: 2, tag: plain.readUInt32LE(8), prob: 1, digest, ts: 0 }, replySize(plain[0]));
        return [plainReplies ? reply : crypto.encryptReply(reply, nm)];
      },
      { encryptionKey: kp.pubkey, timeoutMs: 300, retries: 1 },
    );
    const r = await client.check(digest);
    expect(r).toMatchObject({ value: 9, flag: 2, extended: true });
    expect(server.received[0].raw.subarray(0, 4).toString()).toBe('rsfe');
    expect(server.received[0].raw).toHaveLength(84 + 76);
    plainReplies = true;
    await expect(client.check(digest)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('refuses a malformed encryption key at construction', () => {
    expect(() => new FuzzyClient({ host: '127.0.0.1', port: 1, encryptionKey: 'nope' })).toThrow(KeyFormatError);
  });
});
