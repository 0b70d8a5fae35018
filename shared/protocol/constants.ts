/** Wire constants of rspamd's fuzzy protocol, as shipped in rspamd 3.4 (spec/fuzzy-protocol.md §3). */

export enum Command {
  Check = 0,
  Write = 1,
  Del = 2,
  Stat = 3,
  /** Not in 3.4 (added in 3.10); fuzzyd answers it without permission (spec §5.6). */
  Ping = 4,
}

export const COMMAND_NAMES: Readonly<Record<number, string>> = {
  [Command.Check]: 'check',
  [Command.Write]: 'write',
  [Command.Del]: 'del',
  [Command.Stat]: 'stat',
  [Command.Ping]: 'ping',
};

/** Version 2 is the seed's format (exact lengths, 16-byte reply); 3 is rspamd's "1.0" epoch; 4 adds extensions. */
export const SUPPORTED_VERSIONS = [2, 3, 4] as const;
export type ProtocolVersion = (typeof SUPPORTED_VERSIONS)[number];
/** The first version whose replies are the 96-byte extended form and whose requests may carry extensions. */
export const EXTENDED_VERSION = 4;

export const DIGEST_BYTES = 64;
export const SHINGLE_COUNT = 32;
export const HEADER_BYTES = 12;
export const PLAIN_COMMAND_BYTES = 76;
export const SHINGLE_BLOCK_BYTES = 256;
export const SHINGLED_COMMAND_BYTES = PLAIN_COMMAND_BYTES + SHINGLE_BLOCK_BYTES; // 332
export const SHORT_REPLY_BYTES = 16;
export const EXTENDED_REPLY_BYTES = 96;
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
}

/** Reply `value` codes (spec §6.4). */
export enum ReplyCode {
  Ok = 0,
  Skipped = 401,
  Forbidden = 403,
  InternalError = 500,
}

/** Shingle-vote threshold: a fuzzy hit needs at least this many of the 32 positions (spec §5.3 recommendation). */
export const SHINGLE_HIT_SLOTS = 17;
