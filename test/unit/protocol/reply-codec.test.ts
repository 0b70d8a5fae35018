/** Reply encoding (spec §6.1, §6.2) against the §12 capture and the field edge cases the server will hit. */
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeReply, MalformedReplyError, replySize } from '../../../shared/protocol/codec.js';
import { WORKED_CHECK_REPLY, WORKED_CHECK_REQUEST } from './spec-examples.js';

const digest = Buffer.from(Array.from({ length: 64 }, (_, i) => i + 1));

describe('encodeReply', () => {
  it('builds the §12 direct-hit reply from the request it answers', () => {
    const req = decodeRequest(WORKED_CHECK_REQUEST);
    const out = encodeReply({ value: 10, flag: 1, tag: req.tag, prob: 1, digest: req.digest, ts: 0 }, req.version);
    expect(out.equals(WORKED_CHECK_REPLY)).toBe(true);
  });

  it('gives 16 bytes to v2/v3 and 96 to v4 (§6.2: a v4 client ignores shorter replies)', () => {
    expect([2, 3, 4].map(replySize)).toEqual([16, 16, 96]);
    const r = { value: 5, flag: 7, tag: 0x05050505, prob: 1, digest, ts: 99 };
    expect(encodeReply(r, 3).toString('hex')).toBe('0500000007000000050505050000803f');
    const v4 = encodeReply(r, 4);
    expect(v4.subarray(0, 16).toString('hex')).toBe('0500000007000000050505050000803f');
    expect(v4.subarray(16, 80).equals(digest)).toBe(true);
    expect(v4.readUInt32LE(80)).toBe(99);
    expect(v4.subarray(84).equals(Buffer.alloc(12))).toBe(true);
  });

  it('writes prob as float32 LE (0.96875 = 00 00 78 3f, §2)', () => {
    expect(encodeReply({ value: 0, flag: 0, tag: 0, prob: 0.96875, digest, ts: 0 }, 3).subarray(12).toString('hex')).toBe('0000783f');
  });

  it('writes error codes and negative weights as signed 32-bit', () => {
    expect(decodeReply(encodeReply({ value: 403, flag: 0, tag: 1, prob: 0, digest, ts: 0 }, 4)).value).toBe(403);
    expect(decodeReply(encodeReply({ value: -7, flag: 0, tag: 1, prob: 0, digest, ts: 0 }, 4)).value).toBe(-7);
  });

  it('wraps out-of-range numbers to 32 bits instead of throwing (a STAT count over 2^32, §5.4)', () => {
    const r = decodeReply(encodeReply({ value: 2 ** 31 + 1, flag: 2 ** 32 + 3, tag: 2 ** 32 - 1, prob: 1, digest, ts: 2 ** 32 + 9 }, 4));
    expect([r.value, r.flag, r.tag, r.ts]).toEqual([-(2 ** 31) + 1, 3, 2 ** 32 - 1, 9]);
  });

  it('zero-fills a missing digest', () => {
    const out = encodeReply({ value: 0, flag: 0, tag: 1, prob: 0, digest: Buffer.alloc(0), ts: 0 }, 4);
    expect(out.subarray(16, 80).equals(Buffer.alloc(64))).toBe(true);
  });
});

describe('decodeReply', () => {
  it('decodes the §12 reply', () => {
    const r = decodeReply(WORKED_CHECK_REPLY);
    expect(r).toMatchObject({ value: 10, flag: 1, tag: 0x64969c5d, prob: 1, ts: 0, extended: true });
    expect(r.digest.equals(decodeRequest(WORKED_CHECK_REQUEST).digest)).toBe(true);
  });

  it('copies the digest out of the datagram', () => {
    const buf = Buffer.from(WORKED_CHECK_REPLY);
    const r = decodeReply(buf);
    buf.fill(0);
    expect(r.digest[0]).toBe(0xcf);
  });

  it.each([0, 15, 17, 95, 97, 136])('rejects a %i-byte reply', (n) => {
    expect(() => decodeReply(Buffer.alloc(n))).toThrow(MalformedReplyError);
  });
});
