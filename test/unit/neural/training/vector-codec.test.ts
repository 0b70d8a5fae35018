import { compress } from '@mongodb-js/zstd';
import { describe, expect, it } from 'vitest';
import { VectorDecodeError } from '../../../../server/src/neural/training/errors.js';
import { decodeVector, encodeVector, parseVectorText, vectorText } from '../../../../server/src/neural/training/vector-codec.js';
import { decompressFrame, frameContentSize } from '../../../../server/src/neural/training/zstd-frame.js';

describe('training vector codec (spec §5.2)', () => {
  const row = [0, 1, 0.1875, 0.20498614958449, 1e-7, 0.1, 2, 0, 0, 1];

  it('joins %.14g numbers with ";" inside one zstd frame that records its content size', async () => {
    const frame = await encodeVector(row);
    const text = '0;1;0.1875;0.20498614958449;1e-07;0.1;2;0;0;1';
    expect(vectorText(row)).toBe(text);
    expect(frameContentSize(frame)).toBe(text.length);
    expect((await decompressFrame(frame, 1000)).toString()).toBe(text);
    expect(await decodeVector(frame)).toEqual(row);
  });

  it('a 206-byte row gets the frame header rspamd writes (28 b5 2f fd 20 ce)', async () => {
    const values = [0.25, ...new Array<number>(101).fill(0)]; // "0.25" + 101 × ";0" = 206 bytes
    expect(vectorText(values)).toHaveLength(206);
    const frame = await encodeVector(values);
    expect(frame.subarray(0, 6).toString('hex')).toBe('28b52ffd20ce');
  });

  it('identical rows encode to identical bytes (so the Redis SET dedupes them)', async () => {
    expect((await encodeVector(row)).equals(await encodeVector([...row]))).toBe(true);
  });

  it('decodes frames written without a content size (other writers)', async () => {
    const frame = await compress(Buffer.from('0.5;0;1'), 3);
    expect(await decodeVector(frame)).toEqual([0.5, 0, 1]);
  });

  it.each([
    ['garbage', Buffer.from('definitely not zstd')],
    ['empty', Buffer.alloc(0)],
  ])('rejects a %s frame with a VectorDecodeError', async (_n, frame) => {
    await expect(decodeVector(frame)).rejects.toThrow(VectorDecodeError);
  });

  it.each([
    ['', /empty/],
    ['1;;2', /element 1/],
    ['0.5;abc', /element 1 is not a number/],
    ['1;nan', /element 1/],
    ['1;inf', /element 1/],
    ['1;1e999', /out of range/],
    ['0x10', /element 0/],
  ])('rejects text %j', (text, msg) => {
    expect(() => parseVectorText(text)).toThrow(VectorDecodeError);
    expect(() => parseVectorText(text)).toThrow(msg);
  });

  it('accepts the number forms C and Lua produce', () => {
    expect(parseVectorText('1;-0;.5;3.;2e+05;1E-07;+4')).toEqual([1, -0, 0.5, 3, 200000, 1e-7, 4]);
  });

  it('refuses to encode non-finite or empty vectors', async () => {
    await expect(encodeVector([])).rejects.toThrow(VectorDecodeError);
    await expect(encodeVector([1, Number.NaN])).rejects.toThrow(/value 1/);
  });
});
