/** Request datagrams: bytes -> FuzzyRequest and back (spec/fuzzy-protocol.md §3.2, §4, §5.1). */
import {
  DIGEST_BYTES,
  EXTENDED_REPLY_BYTES,
  EXTENDED_VERSION,
  LEGACY_SEED_VERSION,
  MAX_DATAGRAM_BYTES,
  MULTI_FLAG_REPLY_BYTES,
  MULTI_FLAG_VERSION,
  PLAIN_COMMAND_BYTES,
  SHINGLE_COUNT,
  SHINGLED_COMMAND_BYTES,
  SHORT_REPLY_BYTES,
  V2_CAP,
  VERSION_MASK,
} from './constants.js';
import { EncodeError, MalformedRequestError } from './errors.js';
import { encodeExtensions, parseExtensions } from './extensions-codec.js';
import { ShingleBlock } from './shingle-block.js';
import type { FuzzyRequest, ReplyFormat, RequestExtensions } from './types.js';

const MAX_U64 = (1n << 64n) - 1n;

/**
 * Decodes one plaintext request (already decrypted, if it was encrypted), or throws MalformedRequestError.
 *
 * - Datagrams over 1024 bytes are cut to 1024 first, as rspamd's receive buffer does (§1); the rules then apply to
 *   what is left, so an over-long v3 request fails the exact-length rule exactly as it would on 3.4.
 * - Only the low nibble of the version byte is the protocol (rspamd ≥ 3.6): 3 needs exact lengths, 4 and 5 may carry
 *   extensions. Capability and unknown high bits are ignored, never fatal. Byte 2 exactly is fuzzyd's legacy seed
 *   format and follows the v3 rules (rspamd itself drops it, §3.2).
 * - `digest` is a view into `datagram`, not a copy. That is safe for node:dgram, which hands each 'message' event a
 *   fresh Buffer; a caller that reuses its receive buffer must copy the digest before keeping it.
 */
export function decodeRequest(datagram: Buffer): FuzzyRequest {
  const buf = datagram.length > MAX_DATAGRAM_BYTES ? datagram.subarray(0, MAX_DATAGRAM_BYTES) : datagram;
  const len = buf.length;
  if (len < PLAIN_COMMAND_BYTES) throw new MalformedRequestError('short', `${len} bytes`);
  const version = buf[0];
  const protocol = version === LEGACY_SEED_VERSION ? version : version & VERSION_MASK;
  if (protocol < LEGACY_SEED_VERSION || protocol > MULTI_FLAG_VERSION || (protocol === 2 && version !== 2)) {
    throw new MalformedRequestError('version', `unsupported version 0x${version.toString(16).padStart(2, '0')}`);
  }
  // §4.1: any non-zero shingles_count means a 256-byte block follows; the count itself is not checked.
  const hasShingles = buf[2] !== 0;
  const bodyEnd = hasShingles ? SHINGLED_COMMAND_BYTES : PLAIN_COMMAND_BYTES;
  if (len < bodyEnd) throw new MalformedRequestError('shingles-truncated', `shingles_count ${buf[2]} but ${len} bytes`);
  let extensions: RequestExtensions;
  if (protocol < EXTENDED_VERSION) {
    if (len !== bodyEnd) throw new MalformedRequestError('length', `v${protocol} request of ${len} bytes, want ${bodyEnd}`);
    extensions = NO_EXTENSIONS;
  } else {
    extensions = len > bodyEnd ? parseExtensions(buf, bodyEnd, len) : NO_EXTENSIONS;
  }
  return {
    version,
    protocol,
    reply: replyFormatOf(version, protocol),
    cmd: buf[1],
    flag: buf[3],
    value: buf.readInt32LE(4),
    tag: buf.readUInt32LE(8),
    digest: buf.subarray(12, PLAIN_COMMAND_BYTES),
    shingles: hasShingles ? new ShingleBlock(buf.subarray(PLAIN_COMMAND_BYTES, SHINGLED_COMMAND_BYTES)) : null,
    extensions,
  };
}

/** Shared by every request without extensions: the hot path allocates nothing for them. */
const NO_EXTENSIONS: RequestExtensions = Object.freeze({});

/** §6: protocol 3 (and the seed's 2) get 16 bytes, 4 gets 96, 5 and 4 with V2_CAP get the 144-byte multi-flag reply. */
export function replyFormatOf(version: number, protocol = version & VERSION_MASK): ReplyFormat {
  if (protocol < EXTENDED_VERSION) return SHORT_REPLY_BYTES;
  if (protocol >= MULTI_FLAG_VERSION || (version & V2_CAP) !== 0) return MULTI_FLAG_REPLY_BYTES;
  return EXTENDED_REPLY_BYTES;
}

export interface EncodeRequestInput {
  /** The version byte; defaults to 4, what 3.x clients send (a 4.x client sends 0x14, then 5). */
  version?: number;
  cmd: number;
  flag?: number;
  value?: number;
  tag: number;
  digest: Uint8Array;
  /** 32 bigints, or a ShingleBlock whose bytes are copied as they are. */
  shingles?: readonly bigint[] | ShingleBlock | null;
  /** Only representable in version 4 and later (§4.3). */
  extensions?: RequestExtensions;
}

/** Builds a request datagram. Used by the client, tests and the benchmark, never on the server's receive path. */
export function encodeRequest(req: EncodeRequestInput): Buffer {
  const version = req.version ?? EXTENDED_VERSION;
  const flag = req.flag ?? 0;
  const value = req.value ?? 0;
  checkInt('version', version, 0, 255);
  checkInt('cmd', req.cmd, 0, 255);
  checkInt('flag', flag, 0, 255);
  checkInt('value', value, -0x80000000, 0x7fffffff);
  checkInt('tag', req.tag, 0, 0xffffffff);
  if (req.digest.length !== DIGEST_BYTES) throw new EncodeError(`digest must be ${DIGEST_BYTES} bytes, got ${req.digest.length}`);
  const shingles = req.shingles instanceof ShingleBlock ? null : (req.shingles ?? null);
  const block = req.shingles instanceof ShingleBlock ? req.shingles : null;
  if (shingles && shingles.length !== SHINGLE_COUNT) {
    throw new EncodeError(`need exactly ${SHINGLE_COUNT} shingles, got ${shingles.length}`);
  }
  const ext = req.extensions;
  const hasExtensions =
    ext !== undefined && (ext.domain !== undefined || ext.clientIp !== undefined || ext.senderFacts !== undefined);
  if (hasExtensions && (version & VERSION_MASK) < EXTENDED_VERSION) {
    throw new EncodeError(`version ${version} cannot carry extensions`);
  }
  const tail = hasExtensions ? encodeExtensions(req.extensions as RequestExtensions) : null;
  const bodyEnd = shingles || block ? SHINGLED_COMMAND_BYTES : PLAIN_COMMAND_BYTES;
  const out = Buffer.alloc(bodyEnd + (tail ? tail.length : 0));
  out[0] = version;
  out[1] = req.cmd;
  out[2] = bodyEnd === SHINGLED_COMMAND_BYTES ? SHINGLE_COUNT : 0;
  out[3] = flag;
  out.writeInt32LE(value, 4);
  out.writeUInt32LE(req.tag, 8);
  out.set(req.digest, 12);
  if (shingles) {
    for (let i = 0; i < SHINGLE_COUNT; i++) {
      const s = shingles[i];
      if (s < 0n || s > MAX_U64) throw new EncodeError(`shingle ${i} is not an unsigned 64-bit value`);
      out.writeBigUInt64LE(s, PLAIN_COMMAND_BYTES + 8 * i);
    }
  }
  if (block) block.bytes.copy(out, PLAIN_COMMAND_BYTES);
  if (tail) tail.copy(out, bodyEnd);
  return out;
}

function checkInt(name: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new EncodeError(`${name} must be an integer in ${min}..${max}, got ${v}`);
}
