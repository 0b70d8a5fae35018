/**
 * What only rspamd 4.x clients do, with real rspamd 4.1.5 from the sid chroot (docs/spec/fuzzy-protocol.md §4.3,
 * §11; fuzzy-storage.md §3.4):
 * - scans over TCP (3.14+), plain and encrypted, answered on the UDP port's TCP twin;
 * - encrypted scans of an outside sender carry domain, address and SENDER_FACTS (0x80): a relay that decrypts them
 *   shows they really arrive, and the storage still answers.
 * Multi-flag hashes shared with rspamd 4.1.5's own worker on one Redis: rspamd-redis-layout.test.ts.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from '../../shared/protocol/constants.js';
import { decodeRequest } from '../../shared/protocol/codec.js';
import { FuzzyCrypto, isEncrypted } from '../../shared/protocol/fuzzy-crypto.js';
import type { FuzzyRequest } from '../../shared/protocol/types.js';
import { rspamdKeypair } from '../helpers/rspamd-fuzzy-worker.js';
import { generation, unavailableReason } from '../helpers/rspamd-generation.js';
import { type RspamdScanner, startRspamdScanner } from '../helpers/rspamd-instance.js';
import { type Keypair, type StorageUnderTest, startStorageUnderTest } from './storage-under-test.js';

const gen = generation('4.1.5');
const skip = unavailableReason(gen);
const MESSAGES = fileURLToPath(new URL('./messages', import.meta.url));
const SPAM = join(MESSAGES, 'spam-offer.eml');
const SPAM_VARIANT = join(MESSAGES, 'spam-offer-variant.eml');

async function tcpFrames(storage: StorageUnderTest): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${storage.httpPort}/metrics`);
  return Number(/^fuzzyd_tcp_frames_total (\d+)$/m.exec(await res.text())?.[1] ?? 0);
}

describe.skipIf(skip !== null)(`rspamd 4.1.5 over TCP (${skip ?? 'sid chroot'})`, () => {
  let keypair: Keypair;
  let plain: StorageUnderTest;
  let encrypted: StorageUnderTest;
  let plainScanner: RspamdScanner;
  let encryptedScanner: RspamdScanner;

  beforeAll(async () => {
    keypair = await rspamdKeypair();
    plain = await startStorageUnderTest({ generation: gen });
    encrypted = await startStorageUnderTest({ generation: gen, keypair });
    plainScanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${plain.udpPort}`, tcp: true });
    encryptedScanner = await startRspamdScanner({
      generation: gen,
      fuzzyServer: `127.0.0.1:${encrypted.udpPort}`,
      tcp: true,
      encryptionKey: keypair.pubkey,
    });
  });
  afterAll(async () => {
    await plainScanner?.stop();
    await encryptedScanner?.stop();
    await plain?.stop();
    await encrypted?.stop();
  });

  // Learns always go over UDP; the first scan of a rule opens the connection (and itself goes over UDP), later ones
  // use TCP.
  it.each([
    ['plain', () => plainScanner, () => plain],
    ['encrypted', () => encryptedScanner, () => encrypted],
  ] as const)('%s: scans after the first are answered over TCP, exact and through shingles', async (_label, scanner, storage) => {
    const { hashes } = await scanner().fuzzyAdd(SPAM, 1, 10);
    await storage().settle();
    const before = storage().target === 'fuzzyd' ? await tcpFrames(storage()) : 0;
    for (let i = 0; i < 4; i++) {
      const exact = await scanner().scan(SPAM);
      expect(exact.symbols.FUZZY_DENIED?.options).toEqual([`1:${hashes[0].slice(0, 10)}:1.00:txt`]);
    }
    const near = await scanner().scan(SPAM_VARIANT);
    expect(near.symbols.FUZZY_DENIED?.options?.[0]).toMatch(new RegExp(`^1:${hashes[0].slice(0, 10)}:0\\.\\d\\d:txt:[0-9a-f]{10}$`));
    if (storage().target === 'fuzzyd') expect(await tcpFrames(storage())).toBeGreaterThan(before);
  });
});

/** A UDP relay between a scanner and the storage that decrypts and records each request it passes on. */
class RecordingRelay {
  readonly requests: FuzzyRequest[] = [];
  private readonly upstreams = new Map<string, Socket>();
  private constructor(
    private readonly socket: Socket,
    private readonly crypto: FuzzyCrypto,
    private readonly storagePort: number,
  ) {
    socket.on('message', (msg, from) => this.forward(msg, from));
  }

  static async start(crypto: FuzzyCrypto, storagePort: number): Promise<RecordingRelay> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    return new RecordingRelay(socket, crypto, storagePort);
  }

  get port(): number {
    return this.socket.address().port;
  }

  private forward(msg: Buffer, from: RemoteInfo): void {
    try {
      this.requests.push(decodeRequest(isEncrypted(msg) ? this.crypto.decryptRequest(msg).plain : msg));
    } catch {
      // recorded only when it decodes; it is passed on either way
    }
    const key = `${from.address}:${from.port}`;
    let upstream = this.upstreams.get(key);
    if (!upstream) {
      upstream = createSocket('udp4');
      upstream.on('message', (reply) => this.socket.send(reply, from.port, from.address));
      this.upstreams.set(key, upstream);
    }
    upstream.send(msg, this.storagePort, '127.0.0.1');
  }

  close(): void {
    for (const s of this.upstreams.values()) s.close();
    this.socket.close();
  }
}

describe.skipIf(skip !== null)('rspamd 4.1.5 encrypted scans carry SENDER_FACTS', () => {
  let storage: StorageUnderTest;
  let relay: RecordingRelay;
  let scanner: RspamdScanner;

  beforeAll(async () => {
    const keypair = await rspamdKeypair();
    storage = await startStorageUnderTest({ generation: gen, keypair });
    relay = await RecordingRelay.start(await FuzzyCrypto.create([keypair]), storage.udpPort);
    scanner = await startRspamdScanner({ generation: gen, fuzzyServer: `127.0.0.1:${relay.port}`, encryptionKey: keypair.pubkey });
  });
  afterAll(async () => {
    await scanner?.stop();
    relay?.close();
    await storage?.stop();
  });

  it('a scan of an outside sender sends domain, address and sender facts, and still gets its answer', async () => {
    const { hashes } = await scanner.fuzzyAdd(SPAM, 1, 10);
    await storage.settle();
    relay.requests.length = 0;
    const result = await scanner.scan(SPAM, { ip: '192.0.2.5' });
    expect(result.symbols.FUZZY_DENIED?.options).toEqual([`1:${hashes[0].slice(0, 10)}:1.00:txt`]);
    const checks = relay.requests.filter((r) => r.cmd === Command.Check);
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) {
      expect(check.reply).toBe(144);
      expect(check.extensions.clientIp).toBe('192.0.2.5');
      expect(check.extensions.senderFacts).toEqual(expect.any(Number));
      // Class 0 (top byte), reserved bits 15..23 zero.
      expect((check.extensions.senderFacts ?? -1) & 0xffff8000).toBe(0);
    }
  });

  it('a scan of a local sender sends no extensions at all', async () => {
    relay.requests.length = 0;
    await scanner.scan(SPAM, { ip: '127.0.0.1' });
    const checks = relay.requests.filter((r) => r.cmd === Command.Check);
    expect(checks.length).toBeGreaterThan(0);
    for (const check of checks) expect(check.extensions).toEqual({});
  });
});
