/** Typed failures of the fuzzy UDP client; the CLI maps them to exit codes (1 = bad input, 2 = no answer). */

/** No matching reply after the first send and every retransmission (spec §10: the server drops silently). */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    readonly tag: number,
    readonly attempts: number,
    readonly lastSocketError?: Error,
  ) {
    super(
      `no reply from the fuzzy server after ${attempts} attempt(s)` +
        (lastSocketError ? ` (last socket error: ${lastSocketError.message})` : ''),
    );
  }
}

export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
  constructor() {
    super('fuzzy client closed before the reply arrived');
  }
}

/** A caller-supplied value (digest, flag, address, ...) that cannot be sent. */
export class ClientInputError extends Error {
  override readonly name = 'ClientInputError';
}
