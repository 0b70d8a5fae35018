import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

/**
 * Ports handed out by this process. The kernel may give the same ephemeral port twice in a row once it is closed, so a
 * caller asking for several ports (or asking twice before binding) would otherwise get duplicates.
 */
const handedOut = new Set<number>();

async function bindZeroUdp(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.bind(0, LOOPBACK, () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

async function bindZeroTcp(): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('TCP server has no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** True when the port can be bound on loopback for both UDP and TCP right now. */
async function bothFree(port: number): Promise<boolean> {
  const udp = await new Promise<boolean>((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, LOOPBACK, () => socket.close(() => resolve(true)));
  });
  if (!udp) return false;
  return new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

async function pick(bindZero: () => Promise<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindZero();
    // Both protocols free, so a UDP port can double as a TCP port (fuzzyd and rspamd bind both on some ports).
    if (!handedOut.has(port) && (await bothFree(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('could not find a free loopback port after 50 attempts');
}

/** A UDP port on 127.0.0.1 that nothing is bound to right now (also free for TCP). */
export function freeUdpPort(): Promise<number> {
  return pick(bindZeroUdp);
}

/** A TCP port on 127.0.0.1 that nothing is listening on right now (also free for UDP). */
export function freeTcpPort(): Promise<number> {
  return pick(bindZeroTcp);
}

/** `n` distinct ports, each free for both UDP and TCP on 127.0.0.1. */
export async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < n; i++) ports.push(await freeTcpPort());
  return ports;
}
