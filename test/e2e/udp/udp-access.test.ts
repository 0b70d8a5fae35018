import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest, randomShingles } from '../../helpers/fuzzy-data.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { udpExchange } from '../../helpers/udp-exchange.js';

const skipped = randomDigest();
const dir = tempDir();
let fuzzyd: TestFuzzyd;
let client: FuzzyClient;

beforeAll(async () => {
  writeFileSync(dir.file('skip.txt'), `# digests never to store\n${skipped.toString('hex')}\n`);
  fuzzyd = await startTestFuzzyd({
    // 127.0.0.1 may write; 127.0.0.3 may not; 127.0.0.2 is blocked.
    FUZZYD_ALLOW_UPDATE: '127.0.0.1/32,::1',
    FUZZYD_BLOCKED: '127.0.0.2',
    FUZZYD_SKIP_HASHES: dir.file('skip.txt'),
  });
  client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 1000, retries: 1 });
});
afterAll(async () => {
  await client.close();
  await fuzzyd.close();
  dir.remove();
});

function request(cmd: number, digest: Buffer, extra: { flag?: number; value?: number; version?: number } = {}): Buffer {
  return encodeRequest({ cmd, digest, tag: 0x5eed, flag: extra.flag, value: extra.value, version: extra.version });
}

describe('UDP write permission and maps (spec/fuzzy-protocol.md §5, §7)', () => {
  it('a WRITE from a host outside allow_update gets 403 with the flag echoed and stores nothing', async () => {
    const digest = randomDigest();
    const raw = await udpExchange(request(Command.Write, digest, { flag: 9, value: 5 }), fuzzyd.udpPort, { from: '127.0.0.3' });
    expect(decodeReply(raw!)).toMatchObject({ value: 403, flag: 9, prob: 0, tag: 0x5eed });
    expect((await client.check(digest)).prob).toBe(0);
    expect(fuzzyd.runtime.stats.count('write', 'denied')).toBeGreaterThan(0);
  });

  it('the same host may CHECK, STAT and PING', async () => {
    const digest = randomDigest();
    await client.write(digest, 2, 7);
    const check = decodeReply((await udpExchange(request(Command.Check, digest), fuzzyd.udpPort, { from: '127.0.0.3' }))!);
    expect(check).toMatchObject({ value: 7, flag: 2, prob: 1 });
    const stat = decodeReply((await udpExchange(request(Command.Stat, Buffer.alloc(64)), fuzzyd.udpPort, { from: '127.0.0.3' }))!);
    expect(stat.flag).toBe(fuzzyd.runtime.backend.count());
    const ping = decodeReply((await udpExchange(request(Command.Ping, digest, { value: 4242 }), fuzzyd.udpPort, { from: '127.0.0.3' }))!);
    expect(ping).toMatchObject({ value: 4242, prob: 1 });
  });

  it('a DEL from a host outside allow_update is refused and the hash stays', async () => {
    const digest = randomDigest();
    await client.write(digest, 1, 1);
    const raw = await udpExchange(request(Command.Del, digest, { flag: 1 }), fuzzyd.udpPort, { from: '127.0.0.3' });
    expect(decodeReply(raw!).value).toBe(403);
    expect((await client.check(digest)).prob).toBe(1);
  });

  it('blocked sources get no reply at all', async () => {
    const raw = await udpExchange(request(Command.Check, randomDigest()), fuzzyd.udpPort, { from: '127.0.0.2', timeoutMs: 300 });
    expect(raw).toBeNull();
    expect(fuzzyd.runtime.stats.blocked).toBeGreaterThan(0);
  });

  it('a WRITE of a skip_hashes digest gets 401; deleting it is allowed', async () => {
    const reply = await client.write(skipped, 1, 10);
    expect(reply).toMatchObject({ value: 401, prob: 0, flag: 1 });
    expect((await client.check(skipped)).prob).toBe(0);
    expect((await client.del(skipped, 1)).value).toBe(0);
  });

  it('unknown commands get 403 and are never stored', async () => {
    const digest = randomDigest();
    const reply = decodeReply((await udpExchange(request(100, digest, { flag: 1, value: 1 }), fuzzyd.udpPort))!);
    expect(reply.value).toBe(403);
    expect((await client.check(digest)).prob).toBe(0);
  });

  it('v3 requests get the 16-byte reply; v2 (the seed format) is served the same way', async () => {
    const digest = randomDigest();
    await client.write(digest, 4, 3);
    for (const version of [3, 2]) {
      const raw = await udpExchange(request(Command.Check, digest, { version }), fuzzyd.udpPort);
      expect(raw!.length).toBe(16);
      expect(decodeReply(raw!)).toMatchObject({ value: 3, flag: 4, prob: 1 });
    }
  });

  it('garbage, truncations and bad extensions are counted and dropped without a reply; the server keeps serving', async () => {
    const before = fuzzyd.runtime.stats.invalid;
    const good = request(Command.Check, randomDigest());
    // invalidByReason is a snapshot of the summed blocks: read it again after the datagrams.
    const counted = (reason: string): number => fuzzyd.runtime.stats.invalidByReason.get(reason) ?? 0;
    const was = { short: counted('short'), extension: counted('extension'), version: counted('version'), noKeys: counted('decrypt-no-keys') };
    const unsupported = Buffer.from(good);
    unsupported[0] = 0x16;
    const bad = [
      Buffer.alloc(10),
      good.subarray(0, 75),
      Buffer.concat([good, Buffer.from([0x64, 9, 0x61])]),
      Buffer.from('rsfe'.padEnd(200, 'x')),
      unsupported,
    ];
    for (const datagram of bad) expect(await udpExchange(datagram, fuzzyd.udpPort, { timeoutMs: 200 })).toBeNull();
    expect(fuzzyd.runtime.stats.invalid - before).toBe(bad.length);
    expect(counted('short') - was.short).toBe(2);
    expect(counted('extension') - was.extension).toBe(1);
    expect(counted('version') - was.version).toBe(1);
    // Without a keypair an "rsfe" datagram cannot be decrypted: counted under its own reason.
    expect(counted('decrypt-no-keys') - was.noKeys).toBe(1);
    expect((await client.stat()).prob).toBe(1);
  });

  it('a retransmitted WRITE (same source port, tag and digest) adds its weight once', async () => {
    const digest = randomDigest();
    const datagram = encodeRequest({ cmd: Command.Write, digest, flag: 1, value: 10, tag: 777, shingles: randomShingles().toBigInts() });
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    const replies: Buffer[] = [];
    socket.on('message', (m) => replies.push(m));
    socket.send(datagram, fuzzyd.udpPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    socket.send(datagram, fuzzyd.udpPort, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    socket.close();
    expect(replies).toHaveLength(2);
    expect(replies.every((r) => decodeReply(r).prob === 1)).toBe(true);
    expect((await client.check(digest)).value).toBe(10);
  });
});

describe('encryption (spec/fuzzy-protocol.md §9)', () => {
  const privkey = 'ekd3x36tfa5gd76t6pa8hqif3ott7n1siuux68exbkk7ukscte9y';
  const pubkey = 'm8kneubpcjsb8sbsoj7jy7azj9fdd3xmj63txni86a8ye9ncomny';

  it('serves encrypted requests, and encrypted_only refuses plaintext with a plaintext 403', async () => {
    const secure = await startTestFuzzyd({ FUZZYD_KEYPAIR: `${privkey}:${pubkey}`, FUZZYD_ENCRYPTED_ONLY: 'true' });
    const encrypted = new FuzzyClient({ host: '127.0.0.1', port: secure.udpPort, encryptionKey: pubkey, timeoutMs: 1000, retries: 1 });
    const plain = new FuzzyClient({ host: '127.0.0.1', port: secure.udpPort, timeoutMs: 1000, retries: 1 });
    try {
      const digest = randomDigest();
      expect((await encrypted.write(digest, 1, 5)).prob).toBe(1);
      expect(await encrypted.check(digest)).toMatchObject({ prob: 1, value: 5, flag: 1 });
      expect((await plain.check(digest)).value).toBe(403);
      expect((await plain.stat()).value).toBe(403);
    } finally {
      await encrypted.close();
      await plain.close();
      await secure.close();
    }
  });
});
