/** rspamd's encryption (spec §4.4, §6.3, §9) against the real 3.4 exchange captured in §9.5. */
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import {
  clientSharedKey,
  decodeKey,
  decryptReply,
  DecryptError,
  encryptRequest,
  FuzzyCrypto,
  generateKeypair,
  generateRawKeypair,
  keyId,
  KeyFormatError,
  loadServerKeypair,
  seal,
} from '../../../shared/protocol/cryptobox.js';
import { sodium } from '../../../shared/protocol/sodium.js';
import { zbase32Decode, zbase32Encode } from '../../../shared/protocol/zbase32.js';
import { ENCRYPTED_STAT_REPLY, ENCRYPTED_STAT_REQUEST, TEST_CLIENT_PUBKEY, TEST_NM, TEST_SERVER_KEYPAIR } from './spec-examples.js';

const server = await FuzzyCrypto.create([TEST_SERVER_KEYPAIR]);

describe('§9.5 captured exchange', () => {
  const { plain, nm, keypair, clientPublicKey } = server.decryptRequest(ENCRYPTED_STAT_REQUEST);

  it('detects the request as encrypted', () => {
    expect(server.isEncrypted(ENCRYPTED_STAT_REQUEST)).toBe(true);
  });

  it('derives the documented shared key and client key', () => {
    expect(Buffer.from(nm).toString('hex')).toBe(TEST_NM);
    expect(zbase32Encode(clientPublicKey)).toBe(TEST_CLIENT_PUBKEY);
    expect(keypair.pubkey).toBe(TEST_SERVER_KEYPAIR.pubkey);
  });

  it('decrypts to the documented 76-byte v4 STAT', () => {
    expect(plain.toString('hex')).toBe('04030000' + '00000000' + '65e172be' + '00'.repeat(64));
    const req = decodeRequest(plain);
    expect([req.version, req.cmd, req.tag]).toEqual([4, 3, 0xbe72e165]);
  });

  it('decrypts the captured reply with the same nm to the documented STAT reply', () => {
    const reply = decodeReply(decryptReply(ENCRYPTED_STAT_REPLY, nm));
    expect(reply).toMatchObject({ value: 0, flag: 2, tag: 0xbe72e165, prob: 1, ts: 0, extended: true });
    expect(reply.digest.equals(Buffer.alloc(64))).toBe(true);
  });

  it('re-seals to the captured bytes, and libsodium box_afternm with the same nm/nonce does not (§9.3)', () => {
    const nonce = ENCRYPTED_STAT_REQUEST.subarray(44, 68);
    const ours = seal(plain, nonce, nm);
    expect(Buffer.from(ours.mac).equals(ENCRYPTED_STAT_REQUEST.subarray(68, 84))).toBe(true);
    expect(Buffer.from(ours.ciphertext).equals(ENCRYPTED_STAT_REQUEST.subarray(84))).toBe(true);
    const box = sodium.crypto_box_curve25519xchacha20poly1305_detached_afternm(plain, nonce, nm);
    expect(Buffer.from(box.mac).equals(Buffer.from(ours.mac))).toBe(false);
    expect(Buffer.from(box.ciphertext).equals(Buffer.from(ours.ciphertext))).toBe(false);
  });
});

describe('tampering', () => {
  it.each([
    ['a flipped MAC bit', 68],
    ['a flipped ciphertext bit', 100],
    ['a flipped nonce bit', 50],
  ])('%s -> DecryptError(mac)', (_label, offset) => {
    const bad = Buffer.from(ENCRYPTED_STAT_REQUEST);
    bad[offset] ^= 0x01;
    expect(() => server.decryptRequest(bad)).toThrow(expect.objectContaining({ name: 'DecryptError', reason: 'mac' }));
  });

  it('only reads the first 1024 bytes, so a longer encrypted datagram fails its MAC as on 3.4 (§1)', () => {
    const client = generateRawKeypair();
    const plainReq = Buffer.concat([encodeRequest({ cmd: 0, tag: 1, digest: Buffer.alloc(64) }), Buffer.alloc(1024 - 84 - 76 + 1)]);
    const long = encryptRequest(plainReq, TEST_SERVER_KEYPAIR.pubkey, client);
    expect(long).toHaveLength(1025);
    expect(() => server.decryptRequest(long)).toThrow(expect.objectContaining({ reason: 'mac' }));
    const fits = encryptRequest(plainReq.subarray(0, plainReq.length - 1), TEST_SERVER_KEYPAIR.pubkey, client);
    expect(server.decryptRequest(fits).plain).toHaveLength(1024 - 84);
  });

  it('a reply decrypted with the wrong nm fails', () => {
    const wrong = new Uint8Array(32).fill(1);
    expect(() => decryptReply(ENCRYPTED_STAT_REPLY, wrong)).toThrow(DecryptError);
  });

  it('refuses without keys, without the magic, and below 160 bytes (§4.4, §5.1)', async () => {
    const keyless = await FuzzyCrypto.create([]);
    expect(() => keyless.decryptRequest(ENCRYPTED_STAT_REQUEST)).toThrow(expect.objectContaining({ reason: 'no-keys' }));
    const noMagic = Buffer.from(ENCRYPTED_STAT_REQUEST);
    noMagic[0] = 0x04;
    expect(server.isEncrypted(noMagic)).toBe(false);
    expect(server.isEncrypted(ENCRYPTED_STAT_REQUEST.subarray(0, 159))).toBe(false);
    expect(() => server.decryptRequest(noMagic)).toThrow(expect.objectContaining({ reason: 'not-encrypted' }));
  });
});

describe('server key selection (§5.1.2)', () => {
  const other = generateKeypair();

  it('picks the key whose public key starts with key_id, wherever it is in the list', async () => {
    const multi = await FuzzyCrypto.create([TEST_SERVER_KEYPAIR, other]);
    expect(multi.decryptRequest(ENCRYPTED_STAT_REQUEST).keypair.pubkey).toBe(TEST_SERVER_KEYPAIR.pubkey);
  });

  it('falls back to the LAST configured key for an unknown key_id', async () => {
    const garbled = Buffer.from(ENCRYPTED_STAT_REQUEST);
    garbled.fill(0xee, 4, 12);
    const lastIsTest = await FuzzyCrypto.create([other, TEST_SERVER_KEYPAIR]);
    expect(lastIsTest.decryptRequest(garbled).plain.readUInt32LE(8)).toBe(0xbe72e165);
    const lastIsOther = await FuzzyCrypto.create([TEST_SERVER_KEYPAIR, other]);
    expect(() => lastIsOther.decryptRequest(garbled)).toThrow(expect.objectContaining({ reason: 'mac' }));
  });

  it('caches one nm per (client key, server key), bounded by the cache size', async () => {
    const small = await FuzzyCrypto.create([TEST_SERVER_KEYPAIR], 2);
    const serverPk = decodeKey(TEST_SERVER_KEYPAIR.pubkey);
    for (let i = 0; i < 3; i++) {
      const client = generateRawKeypair();
      const datagram = encryptRequest(encodeRequest({ cmd: 3, tag: i, digest: Buffer.alloc(64) }), serverPk, client);
      small.decryptRequest(datagram);
      small.decryptRequest(datagram);
    }
    expect(small.cachedSharedKeys).toBe(2);
  });
});

describe('round trip client -> server -> client', () => {
  it.each([
    [4, 136],
    [3, 56],
  ])('v%i request with shingles and extensions gets a %i-byte encrypted reply', async (version, replyLen) => {
    const client = generateRawKeypair();
    const nm = clientSharedKey(TEST_SERVER_KEYPAIR.pubkey, client);
    const shingles = Array.from({ length: 32 }, (_, i) => BigInt(i) * 0x0123456789abcdefn);
    const plainReq = encodeRequest({
      version,
      cmd: 0,
      tag: 0xabcdef01,
      digest: Buffer.alloc(64, 9),
      shingles,
      extensions: version === 4 ? { domain: 'example.org', clientIp: '192.0.2.5' } : undefined,
    });
    const datagram = encryptRequest(plainReq, TEST_SERVER_KEYPAIR.pubkey, client, nm);
    expect(datagram).toHaveLength(84 + plainReq.length);
    expect(datagram.subarray(4, 12).equals(zbase32Decode(TEST_SERVER_KEYPAIR.pubkey).subarray(0, 8))).toBe(true);

    const got = server.decryptRequest(datagram);
    const req = decodeRequest(got.plain);
    expect(req.shingles?.toBigInts()).toEqual(shingles);
    const sealed = server.encryptReply(encodeReply({ value: 7, flag: 3, tag: req.tag, prob: 0.75, digest: req.digest, ts: 5 }, req.reply), got.nm);
    expect(sealed).toHaveLength(replyLen);

    const reply = decodeReply(decryptReply(sealed, nm));
    expect(reply).toMatchObject({ value: 7, flag: 3, tag: 0xabcdef01, prob: 0.75 });
  });

  it('uses a fresh nonce for every reply', () => {
    const nm = new Uint8Array(32).fill(3);
    const a = server.encryptReply(Buffer.alloc(16), nm);
    const b = server.encryptReply(Buffer.alloc(16), nm);
    expect(a.subarray(0, 24).equals(b.subarray(0, 24))).toBe(false);
  });
});

describe('keys', () => {
  it('generateKeypair gives zbase32 keys that load back, with the 103-char BLAKE2b id', () => {
    const kp = generateKeypair();
    expect(kp.privkey).toHaveLength(52);
    expect(kp.pubkey).toHaveLength(52);
    expect(kp.id).toHaveLength(103);
    const loaded = loadServerKeypair({ privkey: kp.privkey, pubkey: kp.pubkey });
    expect(loaded.id).toBe(kp.id);
    expect(loaded.id).toBe(zbase32Encode(sodium.crypto_generichash(64, zbase32Decode(kp.pubkey), null)));
    const sk = zbase32Decode(kp.privkey);
    expect([sk[0] & 7, sk[31] & 0xc0]).toEqual([0, 0x40]); // clamped as rspamd stores it
  });

  it('accepts hex keys, explicitly or by shape, and derives the missing pubkey', () => {
    const hexSk = zbase32Decode(TEST_SERVER_KEYPAIR.privkey).toString('hex');
    const a = loadServerKeypair({ privkey: hexSk, encoding: 'hex' });
    const b = loadServerKeypair({ privkey: hexSk });
    expect(a.pubkey).toBe(TEST_SERVER_KEYPAIR.pubkey);
    expect(b.id).toBe(keyId(zbase32Decode(TEST_SERVER_KEYPAIR.pubkey)));
  });

  it.each([
    ['a mismatched pubkey', { privkey: TEST_SERVER_KEYPAIR.privkey, pubkey: generateKeypair().pubkey }],
    ['a short key', { privkey: 'ekd3x36tfa5gd76t6pa8hqif3ott7n1siuux68exbkk7ukscte' }],
    ['a non-alphabet character', { privkey: 'ekd3x36tfa5gd76t6pa8hqif3ott7n1siuux68exbkk7ukscte9Y' }],
    ['hex declared but not hex', { privkey: TEST_SERVER_KEYPAIR.privkey, encoding: 'hex' as const }],
  ])('rejects %s with KeyFormatError', (_label, cfg) => {
    expect(() => loadServerKeypair(cfg)).toThrow(KeyFormatError);
  });
});
