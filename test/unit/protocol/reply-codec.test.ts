/** Reply encoding (spec §6.1, §6.2) against the §12 capture and the field edge cases the server will hit. */
import { describe, expect, it } from 'vitest';
import { decodeReply, decodeRequest, encodeReply, MalformedReplyError, replySize } from '../../../shared/protocol/codec.js';
import { WORKED_CHECK_REPLY, WORKED_CHECK_REQUEST } from './spec-examples.js';

const digest = Buffer.from(Array.from({ length: 64 }, (_, i) => i + 1));

describe('encodeReply', () => {
  it('builds the §12 direct-hit reply from the request it answers', () => {
    const req = decodeRequest(WORKED_CHECK_REQUEST);
    const out = encodeReply({ value: 10, flag: 1, tag: req.tag, prob: 1, digest: req.digest, ts: 0 }, req.reply);
    expect(out.equals(WORKED_CHECK_REPLY)).toBe(true);
  });

  it('gives 16 bytes to v2/v3, 96 to v4 and 144 to 4.x clients (§6.2: a v4 client ignores shorter replies)', () => {
    expect([2, 3, 4, 0x13, 0x24, 0x84].map(replySize)).toEqual([16, 16, 96, 16, 96, 96]);
    expect([0x14, 5, 0x15, 0x85, 0x94].map(replySize)).toEqual([144, 144, 144, 144, 144]);
    const r = { value: 5, flag: 7, tag: 0x05050505, prob: 1, digest, ts: 99 };
    expect(encodeReply(r, 16).toString('hex')).toBe('0500000007000000050505050000803f');
    const v4 = encodeReply(r, 96);
    expect(v4.subarray(0, 16).toString('hex')).toBe('0500000007000000050505050000803f');
    expect(v4.subarray(16, 80).equals(digest)).toBe(true);
    expect(v4.readUInt32LE(80)).toBe(99);
    expect(v4.subarray(84).equals(Buffer.alloc(12))).toBe(true);
  });

  it('writes prob as float32 LE (0.96875 = 00 00 78 3f, §2)', () => {
    expect(encodeReply({ value: 0, flag: 0, tag: 0, prob: 0.96875, digest, ts: 0 }, 16).subarray(12).toString('hex')).toBe('0000783f');
  });

  it('writes error codes and negative weights as signed 32-bit', () => {
    expect(decodeReply(encodeReply({ value: 403, flag: 0, tag: 1, prob: 0, digest, ts: 0 }, 96)).value).toBe(403);
    expect(decodeReply(encodeReply({ value: -7, flag: 0, tag: 1, prob: 0, digest, ts: 0 }, 96)).value).toBe(-7);
  });

  it('wraps out-of-range flag, tag and ts to 32 bits instead of throwing, and saturates weights', () => {
    const r = decodeReply(encodeReply({ value: 2 ** 31 + 1, flag: 2 ** 32 + 3, tag: 2 ** 32 - 1, prob: 1, digest, ts: 2 ** 32 + 9 }, 96));
    expect([r.value, r.flag, r.tag, r.ts]).toEqual([2 ** 31 - 1, 3, 2 ** 32 - 1, 9]);
    expect(decodeReply(encodeReply({ value: 2 ** 32 - 1, flag: 0, tag: 1, prob: 1, digest, ts: 0 }, 16)).value).toBe(2 ** 31 - 1);
    expect(decodeReply(encodeReply({ value: -(2 ** 40), flag: 0, tag: 1, prob: 1, digest, ts: 0 }, 16)).value).toBe(-(2 ** 31));
    const extra = decodeReply(encodeReply({ value: 1, flag: 0, tag: 1, prob: 1, digest, ts: 0, extraFlags: [{ flag: 2, value: 2 ** 33 }] }, 144));
    expect(extra.extraFlags).toEqual([{ flag: 2, value: 2 ** 31 - 1 }]);
  });

  it('sets MATCHED_DIGEST at byte 84 of the 96-byte form and byte 85 of the 144-byte form (4.1.3)', () => {
    const r = { value: 5, flag: 7, tag: 1, prob: 1, digest, ts: 0, matched: true };
    expect(encodeReply(r, 96)[84]).toBe(1);
    const multi = encodeReply(r, 144);
    expect([multi[84], multi[85]]).toEqual([0, 1]);
    expect(decodeReply(multi).matched).toBe(true);
    expect(decodeReply(encodeReply({ ...r, matched: false }, 96)).matched).toBe(false);
  });

  it('packs up to 7 extra flags after the primary in the 144-byte form, zero-filling the unused entries', () => {
    const extraFlags = [
      { flag: 51, value: 4 },
      { flag: 2, value: -3 },
    ];
    const out = encodeReply({ value: 10, flag: 50, tag: 9, prob: 1, digest, ts: 77, extraFlags }, 144);
    expect(out).toHaveLength(144);
    expect(out[84]).toBe(2);
    expect([out.readInt32LE(88), out.readUInt32LE(92), out.readInt32LE(96), out.readUInt32LE(100)]).toEqual([4, 51, -3, 2]);
    expect(out.subarray(104).equals(Buffer.alloc(40))).toBe(true);
    const back = decodeReply(out);
    expect(back).toMatchObject({ value: 10, flag: 50, ts: 77, format: 144, extraFlags });
  });

  it('cuts more than 7 extra flags to 7, and leaves them out of the shorter forms', () => {
    const extraFlags = Array.from({ length: 9 }, (_, i) => ({ flag: i + 1, value: i }));
    expect(decodeReply(encodeReply({ value: 1, flag: 0, tag: 1, prob: 1, digest, ts: 0, extraFlags }, 144)).extraFlags).toHaveLength(7);
    expect(encodeReply({ value: 1, flag: 0, tag: 1, prob: 1, digest, ts: 0, extraFlags }, 96).subarray(84).equals(Buffer.alloc(12))).toBe(true);
  });

  it('zero-fills a missing digest', () => {
    const out = encodeReply({ value: 0, flag: 0, tag: 1, prob: 0, digest: Buffer.alloc(0), ts: 0 }, 96);
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
