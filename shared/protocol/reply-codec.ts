/** Reply datagrams: the 16-byte v1 reply and the 96-byte extended reply (spec/fuzzy-protocol.md §6.1, §6.2). */
import { DIGEST_BYTES, EXTENDED_REPLY_BYTES, EXTENDED_VERSION, SHORT_REPLY_BYTES } from './constants.js';
import { MalformedReplyError } from './errors.js';
import type { FuzzyReply } from './types.js';

/** Size of the plaintext reply a request of `version` must get: v4 clients ignore anything shorter than 96 (§6.2). */
export function replySize(version: number): number {
  return version >= EXTENDED_VERSION ? EXTENDED_REPLY_BYTES : SHORT_REPLY_BYTES;
}

/**
 * Never throws on the hot path: value/flag/ts are cut to 32 bits the way a C cast would (a STAT count above 2^32
 * wraps, as in 3.4 §5.4); a digest shorter than 64 bytes leaves the rest zero. Reserved bytes are zero.
 */
export function encodeReply(reply: FuzzyReply, version: number): Buffer {
  // allocUnsafe draws from Node's pool; Buffer.alloc(96) costs ~0.9 µs (a fresh zeroed ArrayBuffer) on this path.
  const out = Buffer.allocUnsafe(replySize(version));
  out.writeInt32LE(reply.value | 0, 0);
  out.writeUInt32LE(reply.flag >>> 0, 4);
  out.writeUInt32LE(reply.tag >>> 0, 8);
  out.writeFloatLE(reply.prob, 12);
  if (out.length === EXTENDED_REPLY_BYTES) {
    const d = reply.digest;
    const n = d.length < DIGEST_BYTES ? d.length : DIGEST_BYTES;
    if (n > 0) out.set(n === d.length ? d : d.subarray(0, n), 16);
    if (n < DIGEST_BYTES) out.fill(0, 16 + n, 80);
    out.writeUInt32LE(reply.ts >>> 0, 80);
    out.fill(0, 84, EXTENDED_REPLY_BYTES);
  }
  return out;
}

export interface DecodedReply extends FuzzyReply {
  /** True for the 96-byte form. A 16-byte reply has an empty `digest` and `ts` 0. */
  extended: boolean;
}

export function decodeReply(buf: Buffer): DecodedReply {
  const extended = buf.length === EXTENDED_REPLY_BYTES;
  if (!extended && buf.length !== SHORT_REPLY_BYTES) throw new MalformedReplyError(buf.length);
  return {
    value: buf.readInt32LE(0),
    flag: buf.readUInt32LE(4),
    tag: buf.readUInt32LE(8),
    prob: buf.readFloatLE(12),
    digest: extended ? Buffer.from(buf.subarray(16, 80)) : Buffer.alloc(0),
    ts: extended ? buf.readUInt32LE(80) : 0,
    extended,
  };
}
