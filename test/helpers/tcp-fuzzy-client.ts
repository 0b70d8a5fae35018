import { connect, type Socket } from 'node:net';

/** rspamd ≥ 3.14's TCP frame: u16 little-endian length of the payload, then the payload. */
export function tcpFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(2);
  header.writeUInt16LE(payload.length, 0);
  return Buffer.concat([header, payload]);
}

/**
 * A raw TCP connection to the fuzzy port, as rspamd's client opens one: frames out, reply frames in. Written apart
 * from the server's frame reader on purpose, so a framing bug on one side cannot hide the same bug on the other.
 */
export class TcpFuzzyClient {
  private received = Buffer.alloc(0);
  private readonly replies: Buffer[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  /** Resolves when the server ends or resets the connection. */
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      while (this.received.length >= 2) {
        const length = this.received.readUInt16LE(0);
        if (this.received.length < 2 + length) break;
        this.replies.push(Buffer.from(this.received.subarray(2, 2 + length)));
        this.received = this.received.subarray(2 + length);
      }
      this.wake();
    });
    // A reset shows up as an error before 'close'; either way the connection is over.
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      }),
    );
  }

  /** Connects from `from` (any 127.0.0.0/8 address works on Linux loopback). */
  static connect(port: number, opts: { host?: string; from?: string } = {}): Promise<TcpFuzzyClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: opts.host ?? '127.0.0.1', localAddress: opts.from });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new TcpFuzzyClient(socket));
      });
    });
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /** Sends one request framed. */
  send(payload: Buffer): void {
    this.socket.write(tcpFrame(payload));
  }

  /** Sends bytes as they are (split frames, bad lengths). */
  write(raw: Buffer): void {
    this.socket.write(raw);
  }

  /** The next `n` reply payloads, or fewer if the timeout passes or the connection closes first. */
  async take(n: number, timeoutMs = 2000): Promise<Buffer[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.replies.length < n && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = null;
    }
    return this.replies.splice(0, n);
  }

  /** The next reply payload, or null when none comes within `timeoutMs`. */
  async reply(timeoutMs = 2000): Promise<Buffer | null> {
    return (await this.take(1, timeoutMs))[0] ?? null;
  }

  /** True when the server closes the connection within `timeoutMs`. */
  async closesWithin(timeoutMs: number): Promise<boolean> {
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), timeoutMs));
    return Promise.race([this.closed.then(() => true as const), timeout]);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    this.waiter?.();
  }
}
