/**
 * A tiny real UDP server for client tests: it decodes each request and lets the test decide what (if anything) to
 * send back, from which socket. Not a fuzzy storage: the tests script every answer.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { decodeRequest, encodeReply } from '../../../shared/protocol/codec.js';
import type { FuzzyReply, FuzzyRequest } from '../../../shared/protocol/types.js';

export interface Received {
  raw: Buffer;
  req: FuzzyRequest | null;
  from: RemoteInfo;
}

/** Returns the datagrams to send back (none = stay silent). `received` includes the current one. */
export type Script = (got: Received, responder: UdpResponder) => Buffer[] | void;

export class UdpResponder {
  readonly received: Received[] = [];

  private constructor(
    readonly socket: Socket,
    private readonly script: Script,
  ) {}

  static async start(script: Script, host = '127.0.0.1'): Promise<UdpResponder> {
    const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const responder = new UdpResponder(socket, script);
    socket.on('message', (raw, from) => responder.onMessage(raw, from));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, host, () => resolve());
    });
    return responder;
  }

  get port(): number {
    return this.socket.address().port;
  }

  sendTo(to: RemoteInfo, datagram: Buffer): void {
    this.socket.send(datagram, to.port, to.address);
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }

  private onMessage(raw: Buffer, from: RemoteInfo): void {
    let req: FuzzyRequest | null = null;
    try {
      req = decodeRequest(raw);
    } catch {
      req = null;
    }
    const got = { raw, req, from };
    this.received.push(got);
    for (const out of this.script(got, this) ?? []) this.sendTo(from, out);
  }
}

/** The reply a well-behaved storage would give: tag echoed, size by version. */
export function answer(req: FuzzyRequest, fields: Partial<FuzzyReply> = {}): Buffer {
  return encodeReply({ value: 0, flag: req.flag, tag: req.tag, prob: 1, digest: req.digest, ts: 0, ...fields }, req.reply);
}
