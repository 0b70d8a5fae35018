import type { Command } from './constants.js';
import type { ShingleBlock } from './shingle-block.js';

/** 64 opaque bytes (BLAKE2b-512 computed by the client). */
export type Digest = Buffer;

export interface RequestExtensions {
  /** Sender's domain ('d'). */
  domain?: string;
  /** Client IP ('4' or '6'), in text form. */
  clientIp?: string;
}

/** One decoded request datagram (after decryption, if it was encrypted). */
export interface FuzzyRequest {
  version: number;
  cmd: Command | number;
  flag: number;
  /** Signed 32-bit weight. */
  value: number;
  /** Unsigned 32-bit request id, echoed in the reply. */
  tag: number;
  digest: Digest;
  /**
   * The 32 shingles when the request carries a shingle block, else null: their raw 256 bytes (a view into the
   * datagram, no copy). The hot path compares them as u32 words; `toBigInts()` gives the u64 values.
   */
  shingles: ShingleBlock | null;
  extensions: RequestExtensions;
}

export interface FuzzyReply {
  /** Signed 32-bit: the stored weight on a hit, an error code (401/403) or 0. */
  value: number;
  flag: number;
  tag: number;
  /** float32 on the wire. */
  prob: number;
  /** Only in the extended (v4) reply. */
  digest: Digest;
  /** Unix seconds, only in the extended reply. */
  ts: number;
}
