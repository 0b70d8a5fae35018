import { compress } from '@mongodb-js/zstd';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packAnn, packPca, unpackAnn, unpackPca } from '../../../../server/src/neural/training/ann-envelope.js';
import { KannFormatError, ZstdFrameError } from '../../../../server/src/neural/training/errors.js';
import { writeKann } from '../../../../server/src/neural/training/kann-writer.js';
import { hiddenWidth, initWeights } from '../../../../server/src/neural/training/network.js';
import { serializeTensor } from '../../../../server/src/neural/training/pca-tensor.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';
import {
  decompressFrame,
  frameContentSize,
  parseFrameHeader,
  withContentSize,
} from '../../../../server/src/neural/training/zstd-frame.js';

const kannOf = (n: number) => writeKann(initWeights(n, hiddenWidth(n, 1.5), new KannRandom()));
const hasZstdCli = existsSync('/usr/bin/zstd') || existsSync('/usr/local/bin/zstd');

describe('zstd frame header fix-up', () => {
  it('the library alone writes no content size (why zstd-frame.ts exists)', async () => {
    const raw = await compress(Buffer.alloc(1000, 7), 1);
    expect(raw[4] & 0xe0).toBe(0); // no FCS flag, not single-segment
    expect(frameContentSize(raw)).toBeNull();
  });

  it.each([0, 1, 255, 256, 1000, 65791, 65792, 300_000])('records size %i and still decompresses', async (size) => {
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i++) data[i] = (i * 131) % 253 & (i % 5 ? 0xff : 0);
    const fixed = withContentSize(await compress(data, 1), size);
    const h = parseFrameHeader(fixed);
    expect(h.singleSegment).toBe(true);
    expect(h.contentSize).toBe(size);
    expect((await decompressFrame(fixed, 1 << 20)).equals(data)).toBe(true);
  });

  it('refuses frames that declare more than the limit, and garbage', async () => {
    const fixed = withContentSize(await compress(Buffer.alloc(5000), 1), 5000);
    await expect(decompressFrame(fixed, 4999)).rejects.toThrow(/limit/);
    await expect(decompressFrame(Buffer.from('nope, not a frame'), 100)).rejects.toThrow(ZstdFrameError);
    const corrupt = Buffer.from(fixed);
    corrupt.fill(0xaa, 10);
    await expect(decompressFrame(corrupt, 10000)).rejects.toThrow(ZstdFrameError);
  });
});

describe('ann / pca envelope (spec §10.1, §12)', () => {
  it('packAnn makes one level-1 frame with the content size; unpackAnn returns the kann bytes', async () => {
    const kann = kannOf(54);
    const frame = await packAnn(kann);
    expect(frame.subarray(0, 4).toString('hex')).toBe('28b52ffd');
    expect(frameContentSize(frame)).toBe(18713);
    expect(frame.length).toBeLessThan(kann.length);
    expect((await unpackAnn(frame)).equals(kann)).toBe(true);
  });

  it.runIf(hasZstdCli)('the zstd CLI reads the frame and reports its decompressed size', async () => {
    const kann = kannOf(30);
    const dir = mkdtempSync(join(tmpdir(), 'fuzzyd-ann-'));
    writeFileSync(join(dir, 'ann.zst'), await packAnn(kann));
    const listing = execFileSync('zstd', ['-lv', join(dir, 'ann.zst')], { encoding: 'utf8' });
    expect(listing).toMatch(new RegExp(`Decompressed Size:.*\\(${kann.length} B\\)`));
    execFileSync('zstd', ['-q', '-d', '-f', join(dir, 'ann.zst'), '-o', join(dir, 'ann')]);
    expect(readFileSync(join(dir, 'ann')).equals(kann)).toBe(true);
  });

  it('rejects non-kann content both ways', async () => {
    await expect(packAnn(Buffer.from('hello'))).rejects.toThrow(KannFormatError);
    const notKann = withContentSize(await compress(Buffer.from('MessagePack, not kann'), 1), 21);
    await expect(unpackAnn(notKann)).rejects.toThrow(/bad magic/);
  });

  it('pca tensors go through the same envelope', async () => {
    const tensor = serializeTensor({ rows: 2, cols: 3, data: Float32Array.from([1, 2, 3, 4, 5, 6]) });
    const frame = await packPca(tensor);
    expect(frameContentSize(frame)).toBe(40);
    expect((await unpackPca(frame)).equals(tensor)).toBe(true);
  });
});
