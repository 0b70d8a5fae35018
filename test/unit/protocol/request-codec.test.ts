/** Length, version and extension rules of request parsing (spec §3.2, §4, §5.1), on captured and hand-made bytes. */
import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeRequest, MalformedRequestError, type MalformedReason } from '../../../shared/protocol/codec.js';
import { EncodeError } from '../../../shared/protocol/errors.js';
import { WORKED_CHECK_REQUEST } from './spec-examples.js';
import { loadVectors } from './vectors.js';

const synthetic = loadVectors().find((f) => f.name === '15-synthetic')!;
const byTag = (tag: number): Buffer => {
  const d = synthetic.datagrams.find((x) => x.dir === 'C->S' && x.bytes.length >= 12 && x.bytes.readUInt32LE(8) === tag);
  if (!d) throw new Error(`no synthetic request with tag ${tag.toString(16)}`);
  return d.bytes;
};
const short75 = synthetic.datagrams.find((x) => x.dir === 'C->S' && x.bytes.length === 75)!.bytes;
/** v4 CHECK, 76 bytes, no extensions, tag 0x0c0c0c0c (the synthetic request with d/4 extensions, cut to its body). */
const plainV4 = byTag(0x0c0c0c0c).subarray(0, 76);

function reasonOf(buf: Buffer): MalformedReason | 'accepted' {
  try {
    decodeRequest(buf);
    return 'accepted';
  } catch (err) {
    if (err instanceof MalformedRequestError) return err.reason;
    throw err;
  }
}

const withTail = (base: Buffer, tailHex: string): Buffer => Buffer.concat([base, Buffer.from(tailHex, 'hex')]);
const withVersion = (base: Buffer, v: number): Buffer => {
  const b = Buffer.from(base);
  b[0] = v;
  return b;
};

describe('decodeRequest: the synthetic edge cases 3.4 dropped', () => {
  it.each([
    ['v3 with one trailing byte', byTag(0x06060606), 'length'],
    ['75 bytes', short75, 'short'],
    ['shingles_count=32 with only 76 bytes', byTag(0x0b0b0b0b), 'shingles-truncated'],
  ] as const)('%s -> %s', (_label, bytes, reason) => {
    expect(reasonOf(bytes)).toBe(reason);
  });
});

describe('decodeRequest: versions and lengths', () => {
  it('accepts v2 (fuzzyd legacy) and v3 at exactly 76 bytes, and rejects both with any extra byte', () => {
    for (const v of [2, 3]) {
      expect(decodeRequest(withVersion(plainV4, v)).version).toBe(v);
      expect(reasonOf(withTail(withVersion(plainV4, v), '64'))).toBe('length');
    }
  });

  it.each([0, 1, 6, 0x0f, 0x12, 0xff])('drops version 0x%s (low nibble not 3, 4 or 5; 2 only as the whole byte)', (v) => {
    expect(reasonOf(withVersion(plainV4, v))).toBe('version');
  });

  it('reads only the low nibble (rspamd ≥ 3.6): capability and unknown high bits are not fatal', () => {
    for (const v of [0x24, 0x44, 0x84, 0xe4]) expect(decodeRequest(withVersion(plainV4, v))).toMatchObject({ version: v, protocol: 4, reply: 96 });
    expect(decodeRequest(withVersion(plainV4, 0x83))).toMatchObject({ protocol: 3, reply: 16 });
  });

  it('picks the reply by the version byte: 16 for 3, 96 for 4, 144 for 4 with V2_CAP and for 5 (4.0)', () => {
    expect(decodeRequest(withVersion(plainV4, 3)).reply).toBe(16);
    expect(decodeRequest(withVersion(plainV4, 4)).reply).toBe(96);
    expect(decodeRequest(withVersion(plainV4, 0x14)).reply).toBe(144);
    expect(decodeRequest(withVersion(plainV4, 5)).reply).toBe(144);
    expect(decodeRequest(withVersion(plainV4, 0x13)).reply).toBe(16);
  });

  it('version 5 follows the v4 length rules: extensions may follow', () => {
    const v5 = withTail(withVersion(plainV4, 5), '6403616263');
    expect(decodeRequest(v5).extensions).toEqual({ domain: 'abc' });
  });


  it('v3 with shingles must be exactly 332 bytes', () => {
    const shingled = encodeRequest({ version: 3, cmd: 0, tag: 1, digest: Buffer.alloc(64, 7), shingles: Array(32).fill(5n) });
    expect(shingled).toHaveLength(332);
    expect(decodeRequest(shingled).shingles?.toBigInts()).toEqual(Array(32).fill(5n));
    expect(reasonOf(shingled.subarray(0, 331))).toBe('shingles-truncated');
    expect(reasonOf(withTail(shingled, '00'))).toBe('length');
  });

  it('any non-zero shingles_count means a 256-byte block, whatever the number (§4.1)', () => {
    const b = encodeRequest({ cmd: 0, tag: 1, digest: Buffer.alloc(64), shingles: Array(32).fill(1n) });
    b[2] = 3;
    expect(decodeRequest(b).shingles?.toBigInts()).toHaveLength(32);
  });

  it('reads shingles as unsigned 64-bit, including values above 2^63', () => {
    const big = (1n << 64n) - 2n;
    const shingles = Array.from({ length: 32 }, (_, i) => (i === 7 ? big : BigInt(i) << 56n));
    const req = decodeRequest(encodeRequest({ cmd: 0, tag: 1, digest: Buffer.alloc(64), shingles }));
    expect(req.shingles?.toBigInts()).toEqual(shingles);
  });

  it('exposes the same shingles as a raw ShingleBlock view, which re-encodes to the same bytes', () => {
    const req = decodeRequest(WORKED_CHECK_REQUEST);
        expect(req.shingles!.bytes.buffer).toBe(WORKED_CHECK_REQUEST.buffer); // a view, not a copy
    expect(encodeRequest({ ...req, shingles: req.shingles }).equals(WORKED_CHECK_REQUEST)).toBe(true);
    expect(decodeRequest(plainV4).shingles).toBeNull();
  });

  it('reads value as signed and tag as unsigned 32-bit', () => {
    const req = decodeRequest(encodeRequest({ cmd: 1, flag: 255, value: -5, tag: 0xfffffffe, digest: Buffer.alloc(64) }));
    expect([req.value, req.tag, req.flag]).toEqual([-5, 0xfffffffe, 255]);
  });

  it('cuts datagrams over 1024 bytes to 1024 before applying the rules, like the 3.4 receive buffer (§1)', () => {
    const domain = Buffer.concat([Buffer.from([0x64, 255]), Buffer.alloc(255, 0x61)]);
    const body = encodeRequest({ cmd: 0, tag: 1, digest: Buffer.alloc(64) });
    // Four 257-byte domain extensions: well-formed at 1104 bytes, but the fourth overruns once cut to 1024.
    const long = Buffer.concat([body, domain, domain, domain, domain]);
    expect(long).toHaveLength(1104);
    expect(reasonOf(long)).toBe('extension');
    expect(reasonOf(long.subarray(0, 76 + 3 * 257))).toBe('accepted');
    // Conversely, junk beyond byte 1024 is never looked at.
    const padded = Buffer.concat([body, Buffer.alloc(1024 - 76), Buffer.from('zz')]);
    expect(reasonOf(padded)).toBe('accepted');
  });

  it('returns the digest as a view of the datagram, not a copy', () => {
    const buf = Buffer.from(plainV4);
    const req = decodeRequest(buf);
    buf[12] ^= 0xff;
    expect(req.digest[0]).toBe(buf[12]);
  });
});

describe('decodeRequest: v4 extensions (§4.3)', () => {
  it('accepts the 3.4 client bug tail 64 00 00 00 00 as an empty domain plus zero padding', () => {
    const req = decodeRequest(withTail(plainV4, '6400000000'));
    expect(req.extensions).toEqual({ domain: '' });
  });

  it('accepts zero padding straight after the command', () => {
    expect(decodeRequest(withTail(plainV4, '00')).extensions).toEqual({});
    expect(decodeRequest(withTail(plainV4, '640161000000')).extensions).toEqual({ domain: 'a' });
  });

  it('still drops a padding byte followed by anything but zeros', () => {
    expect(reasonOf(withTail(plainV4, '6400000001'))).toBe('extension');
    expect(reasonOf(withTail(plainV4, '00ff'))).toBe('extension');
  });

  it.each([
    ['a type byte with nothing after it', '64'],
    ['a domain longer than what is left', '640561626364'],
    ['a truncated IPv4', '34c00002'],
    ['a truncated IPv6', '36' + '00'.repeat(15)],
    ['a valid extension then a skippable type without its length byte', '34c0000205ff'],
    ['a skippable type whose length runs past the end', '8105aabb'],
    ['sender facts of 3 bytes (4.1.5 requires 4)', '8003000102'],
    ['sender facts of 5 bytes', '800500010203ff'],
  ])('drops %s', (_label, tail) => {
    expect(reasonOf(withTail(plainV4, tail))).toBe('extension');
  });

  it('parses 4.1.5 sender facts (0x80, 4 bytes big-endian) after domain and address, in the order 4.1.5 writes them', () => {
    const req = decodeRequest(withTail(plainV4, '6401' + '61' + '34c0000205' + '800400004093'));
    expect(req.extensions).toEqual({ domain: 'a', clientIp: '192.0.2.5', senderFacts: 0x4093 });
    expect(encodeRequest({ ...req, shingles: null }).subarray(76).toString('hex')).toBe('6401' + '61' + '34c0000205' + '800400004093');
  });

  it('skips unknown types of 0x80 and above by their length byte and reads on', () => {
    const req = decodeRequest(withTail(plainV4, '8103aabbcc' + 'fe00' + '34c0000205'));
    expect(req.extensions).toEqual({ skipped: 2, clientIp: '192.0.2.5' });
  });

  it('answers a request with an unknown type below 0x80, ignoring the rest (its length is unknown)', () => {
    expect(decodeRequest(withTail(plainV4, '6401' + '61' + '35c0000205')).extensions).toEqual({ domain: 'a', skipped: 1 });
  });

  it('parses IPv4 and IPv6 client addresses into text', () => {
    expect(decodeRequest(withTail(plainV4, '34c0000205')).extensions.clientIp).toBe('192.0.2.5');
    const v6 = '36' + '20010db8000000000000000000000001';
    expect(decodeRequest(withTail(plainV4, v6)).extensions.clientIp).toBe('2001:db8::1');
  });

  it('re-encodes IPv6 and domain extensions to the same bytes', () => {
    const bytes = encodeRequest({ cmd: 0, tag: 3, digest: Buffer.alloc(64, 1), extensions: { domain: 'münchen.example', clientIp: '2001:db8::ff00:42:8329' } });
    const req = decodeRequest(bytes);
    expect(req.extensions).toEqual({ domain: 'münchen.example', clientIp: '2001:db8::ff00:42:8329' });
    expect(encodeRequest(req).equals(bytes)).toBe(true);
  });

  it('ignores the extension area of a shingled request only after the 256-byte block', () => {
    const bytes = encodeRequest({ cmd: 0, tag: 3, digest: Buffer.alloc(64), shingles: Array(32).fill(0x64n), extensions: { clientIp: '10.1.2.3' } });
    expect(bytes).toHaveLength(337);
    expect(decodeRequest(bytes).extensions).toEqual({ clientIp: '10.1.2.3' });
  });
});

describe('§12 worked example', () => {
  const req = decodeRequest(WORKED_CHECK_REQUEST);

  it('decodes every field the spec lists', () => {
    expect(WORKED_CHECK_REQUEST).toHaveLength(350);
    expect([req.version, req.cmd, req.flag, req.value]).toEqual([4, 0, 0, 0]);
    expect(req.tag).toBe(1687592029);
    expect(req.digest.toString('hex')).toMatch(/^cfcd4b977f46dd8c.*75da2465f080c9a6$/);
    expect(req.shingles!.at(0)).toBe(797027822560531790n);
    expect(req.shingles!.at(1)).toBe(10944900634961468n);
    expect(req.shingles!.at(31)).toBe(411624129632791330n);
    expect(req.extensions).toEqual({ domain: 'example.org', clientIp: '192.0.2.5' });
  });

  it('re-encodes to the captured bytes', () => {
    expect(encodeRequest(req).equals(WORKED_CHECK_REQUEST)).toBe(true);
  });
});

describe('encodeRequest refuses what it cannot put on the wire', () => {
  const base = { cmd: 0, tag: 1, digest: Buffer.alloc(64) };
  it.each([
    ['a 63-byte digest', { ...base, digest: Buffer.alloc(63) }],
    ['31 shingles', { ...base, shingles: Array(31).fill(0n) }],
    ['a negative shingle', { ...base, shingles: [...Array(31).fill(0n), -1n] }],
    ['a shingle of 2^64', { ...base, shingles: [...Array(31).fill(0n), 1n << 64n] }],
    ['flag 256', { ...base, flag: 256 }],
    ['value 2^31', { ...base, value: 2 ** 31 }],
    ['a fractional tag', { ...base, tag: 1.5 }],
    ['extensions on v3', { ...base, version: 3, extensions: { domain: 'x' } }],
    ['a non-IP client address', { ...base, extensions: { clientIp: 'localhost' } }],
    ['a 256-byte domain', { ...base, extensions: { domain: 'a'.repeat(256) } }],
  ])('%s', (_label, input) => {
    expect(() => encodeRequest(input)).toThrow(EncodeError);
  });
});
