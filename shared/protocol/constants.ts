/** Wire constants of rspamd's fuzzy protocol, rspamd 3.4 through 4.1.5 (docs/spec/fuzzy-protocol.md §3). */

import { MAX_FLAGS_PER_HASH } from './sizes.js';

export enum Command {
  Check = 0,
  Write = 1,
  Del = 2,
  Stat = 3,
  /** Not in 3.4 (added in 3.8.0); answered without permission, value echoed (spec §5.6). */
  Ping = 4,
}

export const COMMAND_NAMES: Readonly<Record<number, string>> = {
  [Command.Check]: 'check',
  [Command.Write]: 'write',
  [Command.Del]: 'del',
  [Command.Stat]: 'stat',
  [Command.Ping]: 'ping',
};

/**
 * The version byte (spec §3.2). Since 3.6 only its low nibble is the protocol version: 3 (exact lengths, 16-byte
 * reply), 4 (extensions, 96-byte reply) and, since 4.0, 5 (multi-flag 144-byte reply). Bit 4 is 4.0's V2_CAP: a
 * version-4 client offering to read multi-flag replies (a 4.x client sends 0x14 until it has seen one, then 5).
 * Bit 7 is rspamd's internal "weak" mark. Byte 2 exactly is fuzzyd's legacy seed format, read by the v3 rules.
 */
export const VERSION_MASK = 0x0f;
export const V2_CAP = 0x10;
export const WEAK_BIT = 0x80;
export const LEGACY_SEED_VERSION = 2;
/** The first protocol version whose replies are the 96-byte extended form and whose requests may carry extensions. */
export const EXTENDED_VERSION = 4;
/** The protocol version a 4.x client switches to after its first multi-flag reply. */
export const MULTI_FLAG_VERSION = 5;

export { DIGEST_BYTES, MAX_FLAGS_PER_HASH, SHINGLE_COUNT } from './sizes.js';
export const HEADER_BYTES = 12;
export const PLAIN_COMMAND_BYTES = 76;
export const SHINGLE_BLOCK_BYTES = 256;
export const SHINGLED_COMMAND_BYTES = PLAIN_COMMAND_BYTES + SHINGLE_BLOCK_BYTES; // 332
export const SHORT_REPLY_BYTES = 16;
export const EXTENDED_REPLY_BYTES = 96;
/** rspamd 4.0's `rspamd_fuzzy_reply_v2`: the 96-byte layout with n_extra_flags at 84 and 7 (value, flag) pairs at 88. */
export const MULTI_FLAG_REPLY_BYTES = 144;
export const MAX_EXTRA_FLAGS = MAX_FLAGS_PER_HASH - 1;
/** Bit of the reply's first reserved byte (4.1.3): the digest field is the stored digest that matched. */
export const REPLY_FLAG_MATCHED_DIGEST = 0x01;
/** rspamd reads into 1024-byte buffers and silently cuts anything longer. */
export const MAX_DATAGRAM_BYTES = 1024;

export const ENCRYPTION_MAGIC = Buffer.from('rsfe', 'ascii');
export const ENCRYPTED_HEADER_BYTES = 84;
export const ENCRYPTED_REPLY_HEADER_BYTES = 40;
export const MIN_ENCRYPTED_BYTES = ENCRYPTED_HEADER_BYTES + PLAIN_COMMAND_BYTES; // 160

export enum ExtensionType {
  Domain = 0x64, // 'd'
  Ipv4 = 0x34, // '4'
  Ipv6 = 0x36, // '6'
  /** 4.1.5: 4 bytes, big-endian bit field describing the sender (SPF, DKIM, DMARC, PTR, recipients, TLS). */
  SenderFacts = 0x80,
}

/** Extension types from here on carry a length byte, so a reader that does not know one can skip it (4.1.5). */
export const SKIPPABLE_EXTENSION_MIN = 0x80;
export const SENDER_FACTS_BYTES = 4;

/**
 * Reply `value` codes (spec §6.4). 3.4 knew 401 and 403; 3.10 gave refused writes 503 and plaintext under
 * `encrypted_only` 415, keeping 403 for rate limits. Which set a client gets is decided per request (reply-codes.ts).
 */
export enum ReplyCode {
  Ok = 0,
  Skipped = 401,
  Forbidden = 403,
  EncryptionRequired = 415,
  InternalError = 500,
  Refused = 503,
}

/** Shingle-vote threshold: a fuzzy hit needs at least this many of the 32 positions (spec §5.3 recommendation). */
export const SHINGLE_HIT_SLOTS = 17;
