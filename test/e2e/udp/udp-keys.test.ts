/**
 * Keys, their rights and write permission over UDP as rspamd ≥ 3.11.1 (docs/spec/access-controls.md §1.2, §2, §3),
 * with fuzzyd in process and its own client encrypting to each server key. `allow_update` is emptied, as a site
 * using key-based writes must: only the keys decide. Run with UDP on the main thread and on two UDP threads, which
 * answer CHECKs themselves and so must know every key, dynamic ones included.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { clientSharedKey, decryptReply, encryptRequest } from '../../../shared/protocol/crypto-client.js';
import { type GeneratedKeypair, generateKeypair, generateRawKeypair } from '../../../shared/protocol/crypto-keys.js';
import { TcpFuzzyClient } from '../../helpers/tcp-fuzzy-client.js';
import { udpExchange } from '../../helpers/udp-exchange.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** `D-M-YYYY` of today plus `days`, local time, as `expire` is written. */
function day(days: number): string {
  const now = new Date();
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
  return `${d.getDate()}-${d.getMonth() + 1}-${d.getFullYear()}`;
}

const keys = {
  listed: generateKeypair(), // in allow_update_keys, default rights (read only)
  writer: generateKeypair(), // allowed_ops = read, write
  readOnly: generateKeypair(), // read_only = true
  deleter: generateKeypair(), // allowed_ops = read, delete
  expired: generateKeypair(), // expire = yesterday, may write
  blind: generateKeypair(), // allowed_ops = write: no read
  dynamic: generateKeypair(), // in the dynamic map from the start, may write
  added: generateKeypair(), // added to the dynamic map while running, may write
  last: generateKeypair(), // the last static key: the default, read only
};

const block = (kp: GeneratedKeypair, extensions = ''): string =>
  `keypair { privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; ${extensions ? `extensions { ${extensions} }` : ''} }`;
const element = (kp: GeneratedKeypair, extensions: string): string =>
  `{ privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; id = "${kp.id}"; type = "kex"; algorithm = "curve25519"; encoding = "base32"; extensions { ${extensions} } }`;

describe.each([0, 2])('keys and write permission with %i UDP threads', (threads) => {
  const dir = tempDir();
  const mapFile = dir.file('dynamic-keys.map');
  let fuzzyd: TestFuzzyd;
  const clients: FuzzyClient[] = [];
  const client = (kp: GeneratedKeypair, version?: number): FuzzyClient => {
    const c = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: kp.pubkey, timeoutMs: 500, retries: 1, version });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    writeFileSync(
      dir.file('fuzzyd.conf'),
      [
        block(keys.listed, 'name = "listed";'),
        block(keys.writer, 'name = "writer"; allowed_ops = ["read", "write"];'),
        block(keys.readOnly, 'name = "read-only"; read_only = true;'),
        block(keys.deleter, 'name = "deleter"; allowed_ops = ["read", "delete"];'),
        block(keys.expired, `name = "expired"; read_only = false; expire = "${day(-1)}";`),
        block(keys.blind, 'name = "blind"; allowed_ops = ["write"];'),
        block(keys.last),
      ].join('\n'),
    );
    writeFileSync(mapFile, `[${element(keys.dynamic, 'name = "dynamic"; read_only = false;')}]`);
    fuzzyd = await startTestFuzzyd({
      FUZZYD_CONFIG: dir.file('fuzzyd.conf'),
      FUZZYD_ALLOW_UPDATE: '',
      FUZZYD_ALLOW_UPDATE_KEYS: keys.listed.id,
      FUZZYD_DYNAMIC_KEYS_MAP: mapFile,
      FUZZYD_UDP_THREADS: String(threads),
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fuzzyd?.close();
    dir.remove();
  });

  it('a key in allow_update_keys writes and deletes; a key with the write right writes', async () => {
    const listed = client(keys.listed);
    const a = randomDigest();
    expect(await listed.write(a, 3, 7)).toMatchObject({ value: 0, prob: 1 });
    expect(await listed.check(a)).toMatchObject({ value: 7, flag: 3, prob: 1 });
    expect(await listed.del(a, 3)).toMatchObject({ value: 0, prob: 1 });
    expect((await listed.check(a)).prob).toBe(0);

    const b = randomDigest();
    expect(await client(keys.writer).write(b, 1, 5)).toMatchObject({ value: 0, prob: 1 });
    expect(await client(keys.last).check(b)).toMatchObject({ value: 5, prob: 1 });
  });

  it("records a key's writes in the audit trail under the key's name, over UDP and TCP, and nothing it was refused", async () => {
    const a = randomDigest();
    await client(keys.listed).write(a, 3, 7);
    await client(keys.readOnly).write(a, 1, 1); // refused: no audit row
    await client(keys.listed).del(a, 3);
    const audit = async (digest: Buffer) =>
      (JSON.parse((await fuzzyd.request('GET', `/api/v1/audit?digest=${digest.toString('hex')}`)).body) as { items: { via: string; actor: string; action: string; source: string }[] }).items;
    expect((await audit(a)).map((i) => [i.via, i.action, i.actor, i.source])).toEqual([
      ['udp', 'del', 'key:listed', '127.0.0.1'],
      ['udp', 'write', 'key:listed', '127.0.0.1'],
    ]);
    const b = randomDigest();
    const tcp = await TcpFuzzyClient.connect(fuzzyd.udpPort);
    try {
      const me = generateRawKeypair();
      const nm = clientSharedKey(keys.writer.pubkey, me);
      tcp.send(encryptRequest(encodeRequest({ cmd: Command.Write, digest: b, tag: 92, flag: 1, value: 2, version: 5 }), keys.writer.pubkey, me, nm));
      const [reply] = await tcp.take(1);
      expect(decodeReply(decryptReply(reply, nm)).value).toBe(0);
    } finally {
      tcp.socket.destroy();
    }
    expect((await audit(b)).map((i) => [i.via, i.action, i.actor])).toEqual([['tcp', 'write', 'key:writer']]);
  });

  it('a key without the right, the default key and plaintext are refused: 403 to 3.x clients, 503 to 4.x', async () => {
    const digest = randomDigest();
    expect(await client(keys.readOnly).write(digest, 1, 5)).toMatchObject({ value: 403, prob: 0, flag: 1 });
    expect(await client(keys.readOnly, 5).write(digest, 1, 5)).toMatchObject({ value: 503, prob: 0 });
    expect((await client(keys.last).write(digest, 1, 5)).value).toBe(403);
    expect((await client(keys.writer).del(digest, 1)).value).toBe(403);
    const plain = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 500, retries: 1 });
    clients.push(plain);
    expect((await plain.write(digest, 1, 5)).value).toBe(403);
    expect((await client(keys.writer).check(digest)).prob).toBe(0);
    // The read-only key still reads.
    await client(keys.writer).write(digest, 2, 9);
    expect(await client(keys.readOnly).check(digest)).toMatchObject({ value: 9, prob: 1 });
  });

  it('a key with read and delete deletes but cannot write', async () => {
    const digest = randomDigest();
    const deleter = client(keys.deleter);
    expect((await deleter.write(digest, 1, 5)).value).toBe(403);
    await client(keys.writer).write(digest, 1, 5);
    expect(await deleter.check(digest)).toMatchObject({ value: 5, prob: 1 });
    expect(await deleter.del(digest, 1)).toMatchObject({ value: 0, prob: 1 });
    expect((await deleter.check(digest)).prob).toBe(0);
  });

  it('an expired key and a key without read are refused on CHECK, with the refusal code of the client', async () => {
    const digest = randomDigest();
    await client(keys.writer).write(digest, 1, 5);
    for (const kp of [keys.expired, keys.blind]) {
      expect(await client(kp).check(digest)).toMatchObject({ value: 403, prob: 0 });
      expect(await client(kp, 5).check(digest)).toMatchObject({ value: 503, prob: 0 });
    }
    // Only CHECK is gated: the blind key may still write (its right), the expired one too (rspamd does not gate writes).
    expect((await client(keys.blind).write(randomDigest(), 1, 1)).value).toBe(0);
    expect((await client(keys.expired).write(randomDigest(), 1, 1)).value).toBe(0);
    expect(fuzzyd.runtime.stats.count('check', 'denied')).toBeGreaterThanOrEqual(4);
  });

  it('a garbage key id is served by the last static key: its rights apply, and only requests encrypted to it decrypt', async () => {
    const digest = randomDigest();
    await client(keys.writer).write(digest, 1, 6);
    const exchange = async (kp: GeneratedKeypair, cmd: number): Promise<ReturnType<typeof decodeReply> | null> => {
      const me = generateRawKeypair();
      const nm = clientSharedKey(kp.pubkey, me);
      const datagram = encryptRequest(encodeRequest({ cmd, digest, tag: 77, flag: 1, value: 1 }), kp.pubkey, me, nm);
      datagram.write('garbage!', 4, 'latin1');
      const raw = await udpExchange(datagram, fuzzyd.udpPort, { timeoutMs: 400 });
      return raw ? decodeReply(decryptReply(raw, nm)) : null;
    };
    expect(await exchange(keys.last, Command.Check)).toMatchObject({ value: 6, prob: 1 });
    // The default key only reads, so its WRITE is refused like the key's own.
    expect(await exchange(keys.last, Command.Write)).toMatchObject({ value: 403, prob: 0 });
    // Encrypted to another key, the datagram fails the default key's MAC and is dropped.
    expect(await exchange(keys.writer, Command.Check)).toBeNull();
  });

  it('TCP frames go through the same key rules (rspamd ≥ 3.14 clients)', async () => {
    const tcp = await TcpFuzzyClient.connect(fuzzyd.udpPort);
    try {
      const digest = randomDigest();
      const framed = (kp: GeneratedKeypair, cmd: number): { datagram: Buffer; nm: Uint8Array } => {
        const me = generateRawKeypair();
        const nm = clientSharedKey(kp.pubkey, me);
        const datagram = encryptRequest(encodeRequest({ cmd, digest, tag: 91, flag: 1, value: 2, version: 5 }), kp.pubkey, me, nm);
        return { datagram, nm };
      };
      for (const [kp, cmd, value] of [
        [keys.readOnly, Command.Write, 503],
        [keys.writer, Command.Write, 0],
        [keys.expired, Command.Check, 503],
        [keys.last, Command.Check, 2],
      ] as const) {
        const { datagram, nm } = framed(kp, cmd);
        tcp.send(datagram);
        const [reply] = await tcp.take(1);
        expect(decodeReply(decryptReply(reply, nm)).value).toBe(value);
      }
    } finally {
      tcp.socket.destroy();
    }
  });

  it('a key added to the dynamic map while running is usable within seconds; a broken map keeps the keys', async () => {
    const dynamic = client(keys.dynamic);
    const digest = randomDigest();
    expect((await dynamic.write(digest, 1, 4)).value).toBe(0);

    const added = client(keys.added);
    writeFileSync(mapFile, `[${element(keys.dynamic, 'read_only = false;')}, ${element(keys.added, 'read_only = false;')}]`);
    const deadline = Date.now() + 6000;
    let reply = await added.check(digest).catch(() => null);
    while (reply?.prob !== 1 && Date.now() < deadline) reply = await added.check(digest).catch(() => null);
    expect(reply).toMatchObject({ value: 4, prob: 1 });
    expect((await added.write(randomDigest(), 1, 1)).value).toBe(0);

    writeFileSync(mapFile, `[${element(keys.added, 'read_only = false;')}, { privkey = `);
    await new Promise((r) => setTimeout(r, 2600));
    expect(await dynamic.check(digest)).toMatchObject({ value: 4, prob: 1 });
    expect(await added.check(digest)).toMatchObject({ value: 4, prob: 1 });
    expect((await dynamic.write(randomDigest(), 1, 1)).value).toBe(0);
  }, 15_000);
});
