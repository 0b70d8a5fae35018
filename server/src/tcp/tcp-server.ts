import { createServer, type Server, type Socket } from 'node:net';
import { type ListenAddress, formatListenAddress } from '../config/listen-address.js';
import type { AccessPolicy } from '../udp/access-policy.js';
import { type FrameHandler, TcpConnection } from './tcp-connection.js';
import type { TcpStats } from './tcp-stats.js';

export interface TcpServerOptions {
  /** rspamd's `tcp_timeout`, in milliseconds. */
  idleTimeoutMs: number;
  /** Open connections across all listeners; more are destroyed at accept. */
  maxConnections: number;
  /** Outstanding replies per connection before its socket is no longer read. */
  maxInFlight?: number;
  onWarning: (message: string, context: Record<string, unknown>) => void;
  /** Rate limits' say on a new connection (ratelimit/rate-limits.ts `admitConnection`): true closes it. */
  refuseConnection?: (source: string) => boolean;
}

/** Enough for rspamd's client, which pipelines one message's commands (a few per rule) per connection. */
const DEFAULT_MAX_IN_FLIGHT = 256;

/** A listen failure that says which address failed and why (`code`), so the caller can retry an ephemeral port. */
export class TcpListenError extends Error {
  constructor(
    readonly address: ListenAddress,
    readonly code: string | undefined,
    message: string,
  ) {
    super(`cannot listen on TCP ${formatListenAddress(address)}: ${message}`);
    this.name = 'TcpListenError';
  }
}

/**
 * rspamd ≥ 3.14's TCP transport: the fuzzy worker listens on TCP on every address it binds for UDP, same port, and
 * speaks the same requests in u16-length frames. This class owns the listeners and the set of open connections;
 * framing and per-connection bounds are TcpConnection's.
 */
export class TcpServer {
  private readonly servers: Server[] = [];
  private readonly connections = new Set<TcpConnection>();
  private readonly maxInFlight: number;

  constructor(
    private readonly handler: FrameHandler,
    private readonly policy: Pick<AccessPolicy, 'isBlocked'>,
    readonly stats: TcpStats,
    private readonly o: TcpServerOptions,
  ) {
    this.maxInFlight = o.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  }

  async listen(addresses: readonly ListenAddress[]): Promise<ListenAddress[]> {
    const bound: ListenAddress[] = [];
    for (const address of addresses) bound.push(await this.bind(address));
    return bound;
  }

  get boundAddresses(): ListenAddress[] {
    return this.servers.flatMap((s) => {
      const a = s.address();
      if (a === null || typeof a === 'string') return [];
      return [{ host: a.address, port: a.port, family: a.family === 'IPv6' ? (6 as const) : (4 as const) }];
    });
  }

  /** Stops accepting, destroys every open connection, resolves once the listeners are closed. */
  async close(): Promise<void> {
    const closing = this.servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const connection of this.connections) connection.close('shutdown');
    await Promise.all(closing);
  }

  private bind(address: ListenAddress): Promise<ListenAddress> {
    // TCP_NODELAY as rspamd sets it: a reply is one small segment that must not wait for the next.
    const server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new TcpListenError(address, err.code, err.message)));
      // The same family rules as the UDP socket on this address, so both transports answer the same clients.
      server.listen({ host: address.host, port: address.port, ipv6Only: address.family === 6 && address.host !== '::' }, () => {
        server.removeAllListeners('error');
        // Accept errors (EMFILE and the like) are per connection; they must not take the process down.
        server.on('error', (err) => this.o.onWarning('TCP accept failed', { error: err.message }));
        this.servers.push(server);
        const a = server.address();
        resolve({ host: address.host, port: typeof a === 'object' && a ? a.port : address.port, family: address.family });
      });
    });
  }

  private accept(socket: Socket): void {
    const source = socket.remoteAddress;
    // A connection reset before accept has no address left to judge; there is nothing to serve.
    if (source === undefined) {
      socket.destroy();
      return;
    }
    // rspamd ≥ 3.14 charges the connection to the source's rate-limit bucket first, then checks `blocked`.
    if (this.o.refuseConnection?.(source)) {
      this.stats.refusedRateLimited++;
      socket.destroy();
      return;
    }
    // rspamd refuses blocked sources at accept (accept_tcp_socket), before reading a byte.
    if (this.policy.isBlocked(source)) {
      this.stats.refusedBlocked++;
      socket.destroy();
      return;
    }
    if (this.connections.size >= this.o.maxConnections) {
      this.stats.refusedLimit++;
      this.o.onWarning('TCP connection refused: tcp_max_connections open', { source, limit: this.o.maxConnections });
      socket.destroy();
      return;
    }
    this.stats.accepted++;
    this.stats.open++;
    const connection = new TcpConnection(socket, {
      handler: this.handler,
      stats: this.stats,
      idleTimeoutMs: this.o.idleTimeoutMs,
      maxInFlight: this.maxInFlight,
      onWarning: this.o.onWarning,
      onClosed: (c) => {
        this.connections.delete(c);
        this.stats.open--;
      },
    });
    this.connections.add(connection);
  }
}
