/**
 * zstd frames as rspamd stores them (spec §5.2, §10.1): one frame, level 1, content size in the header, no
 * checksum — what its one-shot compressor writes.
 *
 * @mongodb-js/zstd 1.2.2 compresses through the streaming API and does NOT record the content size (its frames
 * start `28 b5 2f fd 00 …`: no size, not single-segment). rspamd's decompressor grows its output only while
 * input remains, so spec §10.1 asks for the size. We therefore rewrite the header: drop the window descriptor,
 * set Single_Segment and add Frame_Content_Size (RFC 8878 §3.1.1.1). The blocks are untouched: a single-segment
 * frame's window is the whole content, which covers every back-reference the original window allowed, and the
 * block size limit only grows. A 206-byte row then starts `28 b5 2f fd 20 ce`, as rspamd's does.
 */
import { compress, decompress } from '@mongodb-js/zstd';
import { ZstdFrameError } from './errors.js';

const MAGIC = 0xfd2fb528;
const DID_SIZES = [0, 1, 2, 4];

interface FrameHeader {
  descriptor: number;
  singleSegment: boolean;
  /** Offset of the dictionary id field (right after the window descriptor if any). */
  dictIdOffset: number;
  dictIdSize: number;
  contentSize: number | null;
  /** Total header length: magic, descriptor, window descriptor, dictionary id, content size. */
  length: number;
}

export function parseFrameHeader(frame: Uint8Array): FrameHeader {
  if (frame.length < 6) throw new ZstdFrameError(`zstd frame too short (${frame.length} bytes)`);
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (buf.readUInt32LE(0) !== MAGIC) throw new ZstdFrameError('not a zstd frame (bad magic)');
  const descriptor = buf[4];
  if (descriptor & 0x08) throw new ZstdFrameError('zstd frame header has the reserved bit set');
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor & 0x20) !== 0;
  const dictIdOffset = singleSegment ? 5 : 6;
  const dictIdSize = DID_SIZES[descriptor & 0x03];
  const fcsSize = fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag;
  const fcsOffset = dictIdOffset + dictIdSize;
  const length = fcsOffset + fcsSize;
  if (frame.length < length) throw new ZstdFrameError('zstd frame header is truncated');
  let contentSize: number | null = null;
  if (fcsSize === 1) contentSize = buf[fcsOffset];
  else if (fcsSize === 2) contentSize = buf.readUInt16LE(fcsOffset) + 256;
  else if (fcsSize === 4) contentSize = buf.readUInt32LE(fcsOffset);
  else if (fcsSize === 8) contentSize = Number(buf.readBigUInt64LE(fcsOffset));
  return { descriptor, singleSegment, dictIdOffset, dictIdSize, contentSize, length };
}

/** The declared content size of a frame, or null when the header has none. */
export function frameContentSize(frame: Uint8Array): number | null {
  return parseFrameHeader(frame).contentSize;
}

/** Returns the frame with `contentSize` recorded in a single-segment header (unchanged if already recorded). */
export function withContentSize(frame: Buffer, contentSize: number): Buffer {
  const h = parseFrameHeader(frame);
  if (h.contentSize !== null) {
    if (h.contentSize !== contentSize) throw new ZstdFrameError(`frame declares ${h.contentSize} bytes, expected ${contentSize}`);
    return frame;
  }
  let fcsFlag: number;
  const fcs = Buffer.alloc(contentSize < 256 ? 1 : contentSize < 65792 ? 2 : contentSize < 2 ** 32 ? 4 : 8);
  if (fcs.length === 1) {
    fcsFlag = 0;
    fcs[0] = contentSize;
  } else if (fcs.length === 2) {
    fcsFlag = 1;
    fcs.writeUInt16LE(contentSize - 256);
  } else if (fcs.length === 4) {
    fcsFlag = 2;
    fcs.writeUInt32LE(contentSize);
  } else {
    fcsFlag = 3;
    fcs.writeBigUInt64LE(BigInt(contentSize));
  }
  const descriptor = (fcsFlag << 6) | 0x20 | (h.descriptor & 0x07);
  return Buffer.concat([
    frame.subarray(0, 4),
    Buffer.from([descriptor]),
    frame.subarray(h.dictIdOffset, h.dictIdOffset + h.dictIdSize),
    fcs,
    frame.subarray(h.length),
  ]);
}

/** zstd level 1 with the content size in the header, like rspamd's `rspamd_util.zstd_compress`. */
export async function compressFrame(data: Buffer): Promise<Buffer> {
  return withContentSize(await compress(data, 1), data.length);
}

/**
 * Decompresses one frame, refusing frames that declare or produce more than `maxSize` bytes (blobs come from a
 * shared Redis; a hostile frame must not make us allocate gigabytes).
 */
export async function decompressFrame(frame: Buffer, maxSize: number): Promise<Buffer> {
  const declared = parseFrameHeader(frame).contentSize;
  if (declared !== null && declared > maxSize) throw new ZstdFrameError(`frame declares ${declared} bytes, limit is ${maxSize}`);
  let out: Buffer;
  try {
    out = await decompress(frame);
  } catch (err) {
    throw new ZstdFrameError(`zstd decompression failed: ${(err as Error).message}`, { cause: err });
  }
  if (out.length > maxSize) throw new ZstdFrameError(`frame decompressed to ${out.length} bytes, limit is ${maxSize}`);
  if (declared !== null && out.length !== declared) {
    throw new ZstdFrameError(`frame declares ${declared} bytes but decompressed to ${out.length}`);
  }
  return out;
}
