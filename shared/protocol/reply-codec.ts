/**
 * Reply datagrams (spec/fuzzy-protocol.md §6): the 16-byte v1 reply, the 96-byte extended reply and rspamd 4.0's
 * 144-byte multi-flag reply. The request decides which (`FuzzyRequest.reply`); clients tell them apart by length only.
 */
import {
  DIGEST_BYTES,
  EXTENDED_REPLY_BYTES,
  MAX_EXTRA_FLAGS,
  MULTI_FLAG_REPLY_BYTES,
  REPLY_FLAG_MATCHED_DIGEST,
  SHORT_REPLY_BYTES,
} from './constants.js';
import { MalformedReplyError } from './errors.js';
import { replyFormatOf } from './request-codec.js';
import type { FlagValue, FuzzyReply, ReplyFormat } from './types.js';

/** Size of the plaintext reply a request with this version byte gets (§6). */
export function replySize(version: number): ReplyFormat {
  return replyFormatOf(version);
}

/** Offsets inside the 96- and 144-byte forms (§6.2, §6.5). */
const TS_AT = 80;
const EXTRA_COUNT_AT = 84; // 144-byte form; in the 96-byte form this byte is reserved[0]
const EXTRA_FLAGS_AT = 88;

/**
 * Never throws on the hot path: flag/ts are cut to 32 bits the way a C cast would, while a weight beyond the signed
 * 32-bit range saturates (a sum past 2^31 must not reach the client as a negative weight); a digest shorter than 64
 * bytes leaves the rest zero; more than 7 extra flags are cut to 7. Reserved bytes are zero.
 */
export function encodeReply(reply: FuzzyReply, format: ReplyFormat): Buffer {
  // allocUnsafe draws from Node's pool; Buffer.alloc(96) costs ~0.9 µs (a fresh zeroed ArrayBuffer) on this path.
  const out = Buffer.allocUnsafe(format);
  out.writeInt32LE(saturate(reply.value), 0);
  out.writeUInt32LE(reply.flag >>> 0, 4);
  out.writeUInt32LE(reply.tag >>> 0, 8);
  out.writeFloatLE(reply.prob, 12);
  if (format === SHORT_REPLY_BYTES) return out;
  const d = reply.digest;
  const n = d.length < DIGEST_BYTES ? d.length : DIGEST_BYTES;
  if (n > 0) out.set(n === d.length ? d : d.subarray(0, n), 16);
  if (n < DIGEST_BYTES) out.fill(0, 16 + n, TS_AT);
  out.writeUInt32LE(reply.ts >>> 0, TS_AT);
  out.fill(0, EXTRA_COUNT_AT, format);
  const matched = reply.matched ? REPLY_FLAG_MATCHED_DIGEST : 0;
  if (format === EXTENDED_REPLY_BYTES) {
    out[EXTRA_COUNT_AT] = matched;
    return out;
  }
  // 144 bytes: n_extra_flags, then reserved[0] with the MATCHED bit, then 7 (value i32, flag u32) pairs.
  out[EXTRA_COUNT_AT + 1] = matched;
  const extra = reply.extraFlags;
  if (extra) {
    const count = extra.length < MAX_EXTRA_FLAGS ? extra.length : MAX_EXTRA_FLAGS;
    out[EXTRA_COUNT_AT] = count;
    for (let i = 0; i < count; i++) {
      out.writeInt32LE(saturate(extra[i].value), EXTRA_FLAGS_AT + 8 * i);
      out.writeUInt32LE(extra[i].flag >>> 0, EXTRA_FLAGS_AT + 8 * i + 4);
    }
  }
  return out;
}

function saturate(value: number): number {
  return value >= 0x7fffffff ? 0x7fffffff : value <= -0x80000000 ? -0x80000000 : value | 0;
}

export interface DecodedReply extends FuzzyReply {
  /** The reply's size. A 16-byte reply has an empty `digest` and `ts` 0. */
  format: ReplyFormat;
  /** True for the 96- and 144-byte forms. */
  extended: boolean;
  extraFlags: FlagValue[];
  matched: boolean;
}

export function decodeReply(buf: Buffer): DecodedReply {
  const format = buf.length;
  if (format !== SHORT_REPLY_BYTES && format !== EXTENDED_REPLY_BYTES && format !== MULTI_FLAG_REPLY_BYTES) {
    throw new MalformedReplyError(buf.length);
  }
  const extended = format !== SHORT_REPLY_BYTES;
  const extraFlags: FlagValue[] = [];
  if (format === MULTI_FLAG_REPLY_BYTES) {
    const count = Math.min(buf[EXTRA_COUNT_AT], MAX_EXTRA_FLAGS);
    for (let i = 0; i < count; i++) {
      extraFlags.push({ value: buf.readInt32LE(EXTRA_FLAGS_AT + 8 * i), flag: buf.readUInt32LE(EXTRA_FLAGS_AT + 8 * i + 4) });
    }
  }
  const matchedByte = format === MULTI_FLAG_REPLY_BYTES ? buf[EXTRA_COUNT_AT + 1] : extended ? buf[EXTRA_COUNT_AT] : 0;
  return {
    value: buf.readInt32LE(0),
    flag: buf.readUInt32LE(4),
    tag: buf.readUInt32LE(8),
    prob: buf.readFloatLE(12),
    digest: extended ? Buffer.from(buf.subarray(16, TS_AT)) : Buffer.alloc(0),
    ts: extended ? buf.readUInt32LE(TS_AT) : 0,
    format: format as ReplyFormat,
    extended,
    extraFlags,
    matched: (matchedByte & REPLY_FLAG_MATCHED_DIGEST) !== 0,
  };
}
