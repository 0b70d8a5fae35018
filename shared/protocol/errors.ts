/**
 * Typed errors of the wire layer. Every way a datagram can be refused maps to one class, so the UDP server can count
 * and log by `reason` and stay silent (spec/fuzzy-protocol.md §5.1: malformed input gets no reply).
 */

export type MalformedReason =
  | 'short' // fewer than 76 bytes (§5.1.1)
  | 'version' // low nibble of the version byte not 3, 4 or 5, and not the legacy byte 2 (§3.2)
  | 'length' // v2/v3 datagram not exactly 76 or 332 bytes (§3.2)
  | 'shingles-truncated' // shingles_count != 0 but no full 256-byte block (§5.1.4)
  | 'extension'; // malformed extension area of a v4/v5 request (§4.3)

export class MalformedRequestError extends Error {
  override readonly name = 'MalformedRequestError';
  constructor(
    readonly reason: MalformedReason,
    detail: string,
  ) {
    super(`malformed fuzzy request (${reason}): ${detail}`);
  }
}

export class MalformedReplyError extends Error {
  override readonly name = 'MalformedReplyError';
  constructor(readonly length: number) {
    super(`fuzzy reply must be 16, 96 or 144 bytes, got ${length}`);
  }
}

/** Thrown by the encoders when asked to put something on the wire that cannot be represented. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}

export type DecryptFailure = 'not-encrypted' | 'no-keys' | 'mac' | 'short' | 'key';

export class DecryptError extends Error {
  override readonly name = 'DecryptError';
  constructor(
    readonly reason: DecryptFailure,
    detail: string,
  ) {
    super(`cannot decrypt fuzzy datagram (${reason}): ${detail}`);
  }
}

/** A key given in configuration or on the command line is not a valid curve25519 key in a known text form. */
export class KeyFormatError extends Error {
  override readonly name = 'KeyFormatError';
}
