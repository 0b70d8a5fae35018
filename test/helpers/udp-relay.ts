/**
 * A UDP relay on loopback between rspamd clients and a fuzzy storage: every datagram is shown to `onRequest` and
 * passed on unchanged, each client through an upstream socket of its own so replies find their way back. Lets a
 * test see what a real client sent (after decrypting it with the server key it holds) without touching either side.
 */
import { type Socket, createSocket } from 'node:dgram';

export interface UdpRelay {
  port: number;
  close(): Promise<void>;
}

export async function startUdpRelay(upstreamPort: number, onRequest: (datagram: Buffer) => void): Promise<UdpRelay> {
  const front = createSocket('udp4');
  const upstreams = new Map<string, Socket>();
  front.on('message', (datagram, client) => {
    onRequest(datagram);
    const id = `${client.address}:${client.port}`;
    let up = upstreams.get(id);
    if (!up) {
      up = createSocket('udp4');
      up.on('message', (reply) => front.send(reply, client.port, client.address));
      upstreams.set(id, up);
    }
    up.send(datagram, upstreamPort, '127.0.0.1');
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    close: async () => {
      for (const up of upstreams.values()) up.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
