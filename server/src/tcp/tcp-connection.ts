import type { Socket } from 'node:net';
import type { RequestHandler } from '../udp/request-handler.js';
import { FrameReader } from './frame-reader.js';
import type { TcpCloseReason, TcpStats } from './tcp-stats.js';

/**
 * What a connection needs of the UDP plane's pipeline: one payload in, at most one reply out, in any order, and
 * whether that reply will come (false for payloads it drops silently and for resends it is still committing).
 */
export type FrameHandler = Pick<RequestHandler, 'handle'>;

export interface ConnectionOptions {
  handler: FrameHandler;
  stats: TcpStats;
  /** rspamd's `tcp_timeout`: counted from the last bytes received. */
  idleTimeoutMs: number;
  /** Requests handed to the handler whose reply has not been written yet; at the cap the socket is not read. */
  maxInFlight: number;
  onWarning: (message: string, context: Record<string, unknown>) => void;
  /** Called once, when the socket has closed. */
  onClosed: (connection: TcpConnection) => void;
}

const LENGTH_BYTES = 2;

/**
 * One accepted TCP connection of the fuzzy port: frames in, each payload through the same `handle()` a datagram
 * takes, each reply framed and written as soon as it is ready (rspamd writes replies in completion order; clients
 * match them by tag). Reading stops while `maxInFlight` replies are outstanding or while the kernel send buffer is
 * full, so a client that pipelines faster than it reads cannot make fuzzyd queue without bound.
 */
export class TcpConnection {
  private readonly reader = new FrameReader();
  /** Ids of requests handed to the handler whose reply has not been written yet. */
  private readonly inFlight = new Set<number>();
  private nextId = 0;
  private readonly address: string;
  private readonly port: number;
  private readonly idle: NodeJS.Timeout;
  private writeBlocked = false;
  private readPaused = false;
  private dispatching = false;
  private reason: TcpCloseReason | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly o: ConnectionOptions,
  ) {
    this.address = socket.remoteAddress ?? '';
    this.port = socket.remotePort ?? 0;
    this.idle = setTimeout(() => this.close('idle'), o.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // rspamd closes on EOF and drops replies still being computed; a half-close is taken as the end (no rspamd
    // client half-closes while it waits for answers).
    socket.on('end', () => this.close('client'));
    socket.on('drain', () => {
      this.writeBlocked = false;
      this.dispatchBuffered();
    });
    // ECONNRESET and the like: nothing to tell anyone, the client reconnects.
    socket.on('error', () => this.close('error'));
    socket.on('close', (hadError) => {
      if (this.reason === null) this.settle(hadError ? 'error' : 'client');
      clearTimeout(this.idle);
      this.inFlight.clear();
      o.onClosed(this);
    });
  }

  /** Ends the connection now; replies still being computed are discarded when they complete. */
  close(reason: TcpCloseReason): void {
    if (this.reason !== null) return;
    this.settle(reason);
    clearTimeout(this.idle);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.reason !== null) return;
    this.idle.refresh();
    this.reader.push(chunk);
    this.dispatchBuffered();
  }

  /** Hands every complete buffered frame to the handler while the bounds allow, then sets whether to read more. */
  private dispatchBuffered(): void {
    // A reply written synchronously from inside handle() must not start a second loop over the same buffer.
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      while (this.reason === null && this.mayDispatch()) {
        const next = this.reader.next();
        if (next.kind === 'partial') break;
        if (next.kind === 'invalid') {
          this.o.onWarning(`TCP frame with ${next.reason === 'zero-length' ? 'zero length' : 'oversized length'}, closing connection`, {
            source: this.address,
            length: next.length,
          });
          this.close(next.reason);
          return;
        }
        this.dispatch(next.payload);
      }
    } finally {
      this.dispatching = false;
    }
    this.updateReading();
  }

  private dispatch(payload: Buffer): void {
    const id = this.nextId++;
    this.inFlight.add(id);
    this.o.stats.frames++;
    let replied = false;
    const answering = this.o.handler.handle(payload, this.address, this.port, (reply) => {
      if (replied) return;
      replied = true;
      this.writeReply(id, reply);
    }, false, 'tcp');
    if (!answering) this.inFlight.delete(id);
  }

  private writeReply(id: number, reply: Buffer): void {
    this.inFlight.delete(id);
    if (this.reason !== null) {
      this.o.stats.repliesDiscarded++;
      return;
    }
    // One write per reply: the length and the bytes leave in one segment (TCP_NODELAY is on, as in rspamd).
    const frame = Buffer.allocUnsafe(LENGTH_BYTES + reply.length);
    frame.writeUInt16LE(reply.length, 0);
    reply.copy(frame, LENGTH_BYTES);
    if (!this.socket.write(frame)) this.writeBlocked = true;
    if (!this.dispatching) this.dispatchBuffered();
  }

  private mayDispatch(): boolean {
    return !this.writeBlocked && this.inFlight.size < this.o.maxInFlight;
  }

  private updateReading(): void {
    if (this.reason !== null) return;
    const read = this.mayDispatch();
    if (read && this.readPaused) this.socket.resume();
    else if (!read && !this.readPaused) this.socket.pause();
    this.readPaused = !read;
  }

  private settle(reason: TcpCloseReason): void {
    this.reason = reason;
    this.o.stats.closed[reason]++;
  }
}
