/**
 * The `ann` and `pca` hash fields (spec §3, §10.1, §12): one zstd frame around the raw kann binary / tensor.
 * Not MessagePack — that is only rspamd's internal child→parent format.
 */
import { KannFormatError, PcaTensorError } from './errors.js';
import { KANN_MAGIC } from './kann-format.js';
import { compressFrame, decompressFrame } from './zstd-frame.js';

/** rspamd networks are ~4·h·n bytes (≈ 0.55 MB for n = 300); 64 MiB leaves room while bounding hostile frames. */
export const MAX_ANN_BYTES = 64 * 1024 * 1024;

export async function packAnn(kann: Buffer): Promise<Buffer> {
  if (!kann.subarray(0, 4).equals(KANN_MAGIC)) throw new KannFormatError('refusing to pack a blob without the kann magic');
  return compressFrame(kann);
}

/** Raw kann bytes of an `ann` field; rejects frames whose content is not a kann blob (rspamd would log an error). */
export async function unpackAnn(frame: Buffer, maxSize = MAX_ANN_BYTES): Promise<Buffer> {
  const kann = await decompressFrame(frame, maxSize);
  if (!kann.subarray(0, 4).equals(KANN_MAGIC)) throw new KannFormatError('ann field does not contain a kann blob (bad magic)');
  return kann;
}

export async function packPca(tensor: Buffer): Promise<Buffer> {
  return compressFrame(tensor);
}

export async function unpackPca(frame: Buffer, maxSize = MAX_ANN_BYTES): Promise<Buffer> {
  const tensor = await decompressFrame(frame, maxSize);
  if (tensor.length < 16) throw new PcaTensorError(`pca field holds ${tensor.length} bytes, shorter than a tensor header`);
  return tensor;
}
