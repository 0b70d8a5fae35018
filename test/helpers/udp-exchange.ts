import { createSocket } from 'node:dgram';

/**
 * Sends one raw datagram from `from` (any 127.0.0.0/8 address works on Linux loopback) and resolves with the first
 * reply, or null when none comes within `timeoutMs`: silence is part of the protocol.
 */
export function udpExchange(datagram: Buffer, port: number, opts: { from?: string; host?: string; timeoutMs?: number } = {}): Promise<Buffer | null> {
  const host = opts.host ?? '127.0.0.1';
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, opts.timeoutMs ?? 1000);
    socket.once('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
    socket.bind(0, opts.from ?? (host.includes(':') ? '::1' : '127.0.0.1'), () => socket.send(datagram, port, host));
  });
}
