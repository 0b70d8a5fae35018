/** rspamd ≥ 3.14's TCP framing (u16 LE length + payload), parsed incrementally as socket reads arrive. */
import { describe, expect, it } from 'vitest';
import { FrameReader, MAX_FRAME_BYTES, type FrameResult } from '../../../server/src/tcp/frame-reader.js';

function frame(payload: Buffer): Buffer {
  const header = Buffer.alloc(2);
  header.writeUInt16LE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

function payloadOf(n: number, fill: number): Buffer {
  return Buffer.alloc(n, fill);
}

/** Every result until the reader asks for more bytes (or fails). */
function drain(reader: FrameReader): FrameResult[] {
  const out: FrameResult[] = [];
  for (;;) {
    const r = reader.next();
    out.push(r);
    if (r.kind !== 'frame') return out;
  }
}

function payloads(results: FrameResult[]): string[] {
  return results.flatMap((r) => (r.kind === 'frame' ? [r.payload.toString('hex')] : []));
}

describe('FrameReader', () => {
  it('returns every complete frame of one chunk, in order, then asks for more', () => {
    const reader = new FrameReader();
    const parts = [payloadOf(76, 1), payloadOf(332, 2), payloadOf(1, 3)];
    reader.push(Buffer.concat(parts.map(frame)));
    const results = drain(reader);
    expect(payloads(results)).toEqual(parts.map((p) => p.toString('hex')));
    expect(results.at(-1)).toEqual({ kind: 'partial' });
    expect(reader.buffered).toBe(0);
  });

  it('joins a frame delivered one byte at a time, the length bytes split too', () => {
    const reader = new FrameReader();
    const body = Buffer.from([...Array(300).keys()].map((i) => i & 255));
    const wire = frame(body);
    for (let i = 0; i < wire.length - 1; i++) {
      reader.push(wire.subarray(i, i + 1));
      expect(reader.next()).toEqual({ kind: 'partial' });
    }
    reader.push(wire.subarray(wire.length - 1));
    const r = reader.next();
    expect(r.kind === 'frame' && r.payload.equals(body)).toBe(true);
  });

  it.each([
    ['after the first length byte', 1],
    ['between length and body', 2],
    ['inside the body', 40],
  ])('a split %s keeps the frames intact and the next frame after it', (_label, cut) => {
    const reader = new FrameReader();
    const a = payloadOf(76, 0xaa);
    const b = payloadOf(76, 0xbb);
    const wire = Buffer.concat([frame(a), frame(b)]);
    reader.push(wire.subarray(0, cut));
    const first = drain(reader);
    reader.push(wire.subarray(cut, 78 + cut));
    const second = drain(reader);
    reader.push(wire.subarray(78 + cut));
    const third = drain(reader);
    expect(payloads([...first, ...second, ...third])).toEqual([a.toString('hex'), b.toString('hex')]);
  });

  it('payloads are copies: changing the pushed chunk afterwards does not change them', () => {
    const reader = new FrameReader();
    const chunk = frame(payloadOf(10, 7));
    reader.push(chunk);
    const r = reader.next();
    chunk.fill(0);
    expect(r.kind === 'frame' && r.payload.equals(payloadOf(10, 7))).toBe(true);
    expect(r.kind === 'frame' && r.payload.byteOffset).toBe(0);
  });

  it('accepts a frame of exactly the maximum length', () => {
    const reader = new FrameReader();
    reader.push(frame(payloadOf(MAX_FRAME_BYTES, 5)));
    const r = reader.next();
    expect(r.kind === 'frame' && r.payload.length).toBe(MAX_FRAME_BYTES);
  });

  it('refuses a zero length and a length above the maximum as soon as the length is read, and stays failed', () => {
    const zero = new FrameReader();
    zero.push(Buffer.from([0, 0, 1, 2, 3]));
    expect(zero.next()).toEqual({ kind: 'invalid', reason: 'zero-length', length: 0 });
    zero.push(frame(payloadOf(4, 1)));
    expect(zero.next().kind).toBe('invalid');

    const big = new FrameReader();
    const header = Buffer.alloc(2);
    header.writeUInt16LE(MAX_FRAME_BYTES + 1, 0);
    big.push(header);
    expect(big.next()).toEqual({ kind: 'invalid', reason: 'oversized', length: MAX_FRAME_BYTES + 1 });
    expect(big.buffered).toBe(0);
  });

  it('a frame after good ones fails only when reached: the good ones are returned first', () => {
    const reader = new FrameReader();
    reader.push(Buffer.concat([frame(payloadOf(3, 1)), Buffer.from([0xff, 0xff])]));
    expect(reader.next().kind).toBe('frame');
    expect(reader.next()).toMatchObject({ kind: 'invalid', reason: 'oversized', length: 0xffff });
  });

  it('holds at most one unfinished frame once it asks for more, whatever the chunk size', () => {
    const reader = new FrameReader();
    const many = Buffer.concat([...Array(100)].map(() => frame(payloadOf(500, 9))));
    // 100 whole frames plus the first 3 bytes of another in one 50 KB read.
    reader.push(Buffer.concat([many, frame(payloadOf(500, 1)).subarray(0, 3)]));
    expect(drain(reader).filter((r) => r.kind === 'frame')).toHaveLength(100);
    expect(reader.buffered).toBe(3);
  });

  it('a caller that stops taking frames keeps the rest buffered for later', () => {
    const reader = new FrameReader();
    reader.push(Buffer.concat([frame(payloadOf(2, 1)), frame(payloadOf(2, 2)), frame(payloadOf(2, 3))]));
    expect(reader.next().kind).toBe('frame');
    expect(reader.buffered).toBe(8);
    reader.push(frame(payloadOf(2, 4)));
    expect(payloads(drain(reader))).toEqual(['0202', '0303', '0404']);
  });

  it('honours a smaller configured maximum', () => {
    const reader = new FrameReader(100);
    reader.push(frame(payloadOf(101, 0)));
    expect(reader.next()).toMatchObject({ kind: 'invalid', reason: 'oversized' });
  });
});
