/**
 * rspamd's tensor serialisation, used for the `pca` hash field (spec §12): int32 ndims (2), int32 element count,
 * int32 rows, int32 cols, then float32 row-major data; little-endian, 16-byte header. The blob is stored
 * zstd-compressed (ann-envelope.ts); this module handles the raw bytes only.
 */
import { PcaTensorError } from './errors.js';

export interface Matrix {
  rows: number;
  cols: number;
  data: Float32Array;
}

const HEADER = 16;

export function serializeTensor(m: Matrix): Buffer {
  if (m.data.length !== m.rows * m.cols) throw new PcaTensorError(`${m.data.length} values for ${m.rows}×${m.cols}`);
  const buf = Buffer.alloc(HEADER + 4 * m.data.length);
  buf.writeInt32LE(2, 0);
  buf.writeInt32LE(m.data.length, 4);
  buf.writeInt32LE(m.rows, 8);
  buf.writeInt32LE(m.cols, 12);
  for (let i = 0; i < m.data.length; i++) buf.writeFloatLE(m.data[i], HEADER + 4 * i);
  return buf;
}

export function parseTensor(buf: Buffer): Matrix {
  if (buf.length < HEADER) throw new PcaTensorError(`tensor blob of ${buf.length} bytes is shorter than its header`);
  const ndims = buf.readInt32LE(0);
  const count = buf.readInt32LE(4);
  const rows = buf.readInt32LE(8);
  const cols = buf.readInt32LE(12);
  if (ndims !== 2) throw new PcaTensorError(`expected a 2-D tensor, got ${ndims} dimensions`);
  if (rows < 0 || cols < 0 || count !== rows * cols) throw new PcaTensorError(`inconsistent shape ${rows}×${cols}, count ${count}`);
  if (buf.length !== HEADER + 4 * count) throw new PcaTensorError(`tensor blob has ${buf.length} bytes, expected ${HEADER + 4 * count}`);
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = buf.readFloatLE(HEADER + 4 * i);
  return { rows, cols, data };
}
