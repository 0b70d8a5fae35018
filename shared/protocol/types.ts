import type { Command } from './constants.js';
import type { ShingleBlock } from './shingle-block.js';

/** 64 opaque bytes (BLAKE2b-512 computed by the client). */
export type Digest = Buffer;

export interface RequestExtensions {
  /** Sender's domain ('d'). */
  domain?: string;
  /** Client IP ('4' or '6'), in text form. */
  clientIp?: string;
  /** 4.1.5's SENDER_FACTS (0x80): the big-endian u32 as a number. */
  senderFacts?: number;
  /** Entries of a type fuzzyd does not know that were skipped (types ≥ 0x80 carry their length). */
  skipped?: number;
}

/**
 * Which reply a request gets, by its size on the wire (spec §6): 16 bytes for protocol 3, 96 for 4, 144 (multi-flag)
 * for 5 or for 4 with the V2_CAP bit.
 */
export type ReplyFormat = 16 | 96 | 144;

/** One (flag, value) slot of a stored hash. */
export interface FlagValue {
  flag: number;
  value: number;
}

/** One decoded request datagram (after decryption, if it was encrypted). */
export interface FuzzyRequest {
  /** The version byte as sent, capability bits included. */
  version: number;
  /** Its low nibble: 2 (fuzzyd's legacy seed), 3, 4 or 5. */
  protocol: number;
  reply: ReplyFormat;
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
  /** The hash's other flags (at most 7), only in the multi-flag reply. */
  extraFlags?: readonly FlagValue[];
  /** MATCHED_DIGEST (4.1.3): `digest` is the stored digest a CHECK matched. Not in the 16-byte reply. */
  matched?: boolean;
}
