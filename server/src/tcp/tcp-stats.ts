/** Why a TCP connection ended; `shutdown` is fuzzyd stopping. */
export type TcpCloseReason = 'idle' | 'oversized' | 'zero-length' | 'client' | 'error' | 'shutdown';
export const TCP_CLOSE_REASONS: readonly TcpCloseReason[] = ['idle', 'oversized', 'zero-length', 'client', 'error', 'shutdown'];

/**
 * Connection-level counters of the TCP transport since start (/metrics reads them). Per-request outcomes are not
 * here: every frame goes through the UDP request handler, which counts them in UdpStats like any datagram.
 */
export class TcpStats {
  accepted = 0;
  /** Destroyed at accept because `tcp_max_connections` were open. */
  refusedLimit = 0;
  /** Destroyed at accept because the source is in `blocked`. */
  refusedBlocked = 0;
  /** Destroyed at accept because the source's network is over its rate limit (rspamd ≥ 3.14). */
  refusedRateLimited = 0;
  open = 0;
  /** Well-formed frames handed to the request handler (the handler still drops undecodable payloads). */
  frames = 0;
  /** Replies that completed after their connection had closed. */
  repliesDiscarded = 0;
  readonly closed: Record<TcpCloseReason, number> = {
    idle: 0,
    oversized: 0,
    'zero-length': 0,
    client: 0,
    error: 0,
    shutdown: 0,
  };
}
