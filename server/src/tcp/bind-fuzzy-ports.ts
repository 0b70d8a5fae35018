import type { ListenAddress } from '../config/listen-address.js';
import type { UdpPlane } from '../udp/udp-threads.js';
import { TcpListenError, type TcpServer } from './tcp-server.js';

const EPHEMERAL_ATTEMPTS = 8;

/**
 * Binds the fuzzy port: UDP first, then TCP on exactly the ports UDP got, as rspamd ≥ 3.14 listens on both for each
 * bind address. A port given as 0 is chosen by the kernel for UDP only; that number may be taken for TCP (a listener,
 * or a client socket in TIME_WAIT, which test runs leave by the hundred), so such a pair is rebound on a fresh
 * port a few times. A fixed port that is taken is an error at once.
 */
export async function bindFuzzyPorts(udp: UdpPlane, tcp: TcpServer | null, addresses: readonly ListenAddress[]): Promise<ListenAddress[]> {
  for (let attempt = 1; ; attempt++) {
    const bound = await udp.listen(addresses);
    if (!tcp) return bound;
    try {
      await tcp.listen(bound);
      return bound;
    } catch (err) {
      await tcp.close();
      await udp.close();
      const index = err instanceof TcpListenError ? bound.findIndex((a) => a.host === err.address.host && a.port === err.address.port) : -1;
      const ephemeral = index >= 0 && addresses[index].port === 0 && (err as TcpListenError).code === 'EADDRINUSE';
      if (!ephemeral || attempt >= EPHEMERAL_ATTEMPTS) throw err;
    }
  }
}
