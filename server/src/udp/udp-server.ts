import { createSocket, type Socket } from 'node:dgram';
import { type ListenAddress, formatListenAddress } from '../config/listen-address.js';
import type { RequestHandler } from './request-handler.js';
import type { UdpPlane } from './udp-threads.js';

/** Kernel receive buffer per socket: bursts of requests queue here instead of being dropped. */
const RECEIVE_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * One UDP socket per bind address. rspamd's client uses connected sockets, so the reply must leave from the exact
 * address the request reached (spec/fuzzy-protocol.md §1): replying on the receiving socket guarantees it when
 * each service address is bound on its own; a wildcard bind lets the kernel pick the source address.
 */
export class UdpServer implements UdpPlane {
  private readonly sockets: Socket[] = [];
  readonly threads = 0;

  /** With `reusePort`, several threads bind the same port and the kernel spreads datagrams over them by source. */
  constructor(
    private readonly handler: RequestHandler,
    private readonly options: { reusePort?: boolean } = {},
  ) {}

  async listen(addresses: readonly ListenAddress[]): Promise<ListenAddress[]> {
    const bound: ListenAddress[] = [];
    for (const address of addresses) bound.push(await this.bind(address));
    return bound;
  }

  get boundAddresses(): ListenAddress[] {
    return this.sockets.map((s) => {
      const a = s.address();
      return { host: a.address, port: a.port, family: a.family === 'IPv6' ? 6 : 4 };
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private bind(address: ListenAddress): Promise<ListenAddress> {
    const socket = createSocket({
      type: address.family === 6 ? 'udp6' : 'udp4',
      ipv6Only: address.family === 6 && address.host !== '::',
      reusePort: this.options.reusePort ?? false,
      // Replies go to the IP the request came from: skip dns.lookup's deferred round per send.
      lookup: (host, _options, callback) => (callback as (e: null, a: string, f: number) => void)(null, host, address.family),
    });
    socket.on('message', (msg, rinfo) => {
      this.handler.handle(msg, rinfo.address, rinfo.port, (reply) => socket.send(reply, rinfo.port, rinfo.address));
    });
    return new Promise((resolve, reject) => {
      socket.once('error', (err) => reject(new Error(`cannot bind UDP ${formatListenAddress(address)}: ${err.message}`)));
      socket.bind(address.port, address.host, () => {
        socket.removeAllListeners('error');
        // A send error (e.g. ICMP unreachable reported on a later send) must never take the process down.
        socket.on('error', () => {});
        try {
          socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES);
        } catch {
          // The kernel may cap it (net.core.rmem_max); the default still works.
        }
        this.sockets.push(socket);
        const a = socket.address();
        resolve({ host: a.address, port: a.port, family: address.family });
      });
    });
  }
}
