/**
 * rspamd ≥ 3.14's TCP framing (src/fuzzy_storage.c, `rspamd_fuzzy_tcp_io`): a u16 little-endian length that does not
 * count itself, then that many bytes, which are exactly what a UDP datagram would carry. rspamd refuses a length of 0
 * or above its 8192-byte input buffer and closes the connection.
 */
export const MAX_FRAME_BYTES = 8192;
const LENGTH_BYTES = 2;

export type InvalidFrameReason = 'zero-length' | 'oversized';

export type FrameResult =
  | { kind: 'frame'; payload: Buffer }
  | { kind: 'partial' }
  | { kind: 'invalid'; reason: InvalidFrameReason; length: number };

const PARTIAL: FrameResult = { kind: 'partial' };
const EMPTY = Buffer.alloc(0);

/**
 * Incremental frame parser for one connection: push what the socket read, then take frames until `partial`.
 * Nothing is parsed ahead of `next()`, so a caller that stops taking frames (too many requests in flight) leaves the
 * rest buffered and reads no more; what it holds is then at most one unfinished frame plus the last chunk pushed.
 * After an invalid length every call answers the same: the stream cannot be resynchronised.
 */
export class FrameReader {
  private buffer: Buffer = EMPTY;
  private offset = 0;
  private failure: FrameResult | null = null;

  constructor(private readonly maxFrameBytes = MAX_FRAME_BYTES) {}

  /** Bytes received and not yet returned as frames. */
  get buffered(): number {
    return this.buffer.length - this.offset;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.buffered === 0) {
      // The common case (whole frames per read): parse the chunk in place, no copy.
      this.buffer = chunk;
    } else {
      this.buffer = Buffer.concat([this.buffer.subarray(this.offset), chunk]);
    }
    this.offset = 0;
  }

  next(): FrameResult {
    if (this.failure) return this.failure;
    const available = this.buffered;
    if (available < LENGTH_BYTES) return this.keepRest();
    const length = this.buffer.readUInt16LE(this.offset);
    // Judged as soon as the length is known, like rspamd: no waiting for a body that will be refused anyway.
    if (length === 0 || length > this.maxFrameBytes) {
      this.failure = { kind: 'invalid', reason: length === 0 ? 'zero-length' : 'oversized', length };
      this.buffer = EMPTY;
      this.offset = 0;
      return this.failure;
    }
    if (available < LENGTH_BYTES + length) return this.keepRest();
    const start = this.offset + LENGTH_BYTES;
    // A copy with its own memory, as node:dgram hands each datagram: the request handler keeps views into it (digest,
    // shingles) until the store has answered, which must not pin or see later bytes of this connection.
    const payload = Buffer.allocUnsafeSlow(length);
    this.buffer.copy(payload, 0, start, start + length);
    this.offset = start + length;
    return { kind: 'frame', payload };
  }

  /**
   * Keeps only the unfinished frame, not the chunk it arrived in (a socket read is up to 64 KiB): an idle connection
   * then holds at most one frame of receive memory, and none between frames.
   */
  private keepRest(): FrameResult {
    if (this.offset > 0) {
      this.buffer = this.buffered === 0 ? EMPTY : Buffer.from(this.buffer.subarray(this.offset));
      this.offset = 0;
    }
    return PARTIAL;
  }
}
