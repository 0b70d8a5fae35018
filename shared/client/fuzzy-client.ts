/**
 * A UDP client for rspamd-compatible fuzzy storages, shaped like rspamd's fuzzy_check client (spec §10): random u32
 * tags, many requests in flight matched by tag, retransmission on timeout, optional encryption. The socket is
 * *connected* (spec §1), so a reply sent from any other address than the one we sent to is never seen: talking to a
 * server through this client also proves it answers from the right address.
 */
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Command, DIGEST_BYTES, EXTENDED_VERSION } from '../protocol/constants.js';
import { decodeReply, encodeRequest, type DecodedReply } from '../protocol/codec.js';
import { clientSharedKey, decodeKey, decryptReply, encryptRequest, generateRawKeypair, type RawKeypair } from '../protocol/cryptobox.js';
import type { RequestExtensions } from '../protocol/types.js';
import { ClientClosedError, TimeoutError } from './client-errors.js';
import { checkFlag, checkShingles, checkValue, toDigest, type DigestInput } from './request-input.js';

export interface FuzzyClientOptions {
  /** IP literal (IPv6 with or without brackets) or host name. */
  host: string;
  port: number;
  /** Per attempt. Default 1000 ms, rspamd's code default. */
  timeoutMs?: number;
  /** Retransmissions after the first send. Default 3, rspamd's code default (spec §10). */
  retries?: number;
  /** The server's public key (rspamd `encryption_key`: zbase32, or 64 hex digits). Requests are then encrypted. */
  encryptionKey?: string;
  /** The version byte. Default 4, what rspamd 3.x sends; 0x14 and 5 are what a 4.x client sends (multi-flag replies). */
  version?: number;
}

/** Everything a request carries except the tag and version, which the client owns. */
export interface ClientRequest {
  cmd: number;
  flag?: number;
  value?: number;
  digest?: DigestInput;
  shingles?: readonly bigint[] | null;
  extensions?: RequestExtensions;
}

interface Pending {
  datagram: Buffer;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (r: DecodedReply) => void;
  reject: (e: Error) => void;
}

const ZERO_DIGEST = Buffer.alloc(DIGEST_BYTES);

export class FuzzyClient {
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly version: number;
  private readonly crypto: { serverKey: Uint8Array; client: RawKeypair; nm: Uint8Array } | null;
  private readonly pending = new Map<number, Pending>();
  private socket: Promise<Socket> | null = null;
  private closed = false;
  private lastSocketError: Error | undefined;

  constructor(private readonly opts: FuzzyClientOptions) {
    this.host = opts.host.startsWith('[') && opts.host.endsWith(']') ? opts.host.slice(1, -1) : opts.host;
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.retries = opts.retries ?? 3;
    this.version = opts.version ?? EXTENDED_VERSION;
    if (opts.encryptionKey !== undefined) {
      // One client keypair per client, reused for every request, like rspamd's per-rule key (spec §4.4).
      const serverKey = decodeKey(opts.encryptionKey);
      const client = generateRawKeypair();
      this.crypto = { serverKey, client, nm: clientSharedKey(serverKey, client) };
    } else {
      this.crypto = null;
    }
  }

  check(digest: DigestInput, shingles?: readonly bigint[] | null): Promise<DecodedReply> {
    return this.send({ cmd: Command.Check, digest, shingles });
  }

  write(digest: DigestInput, flag: number, value: number, shingles?: readonly bigint[] | null): Promise<DecodedReply> {
    return this.send({ cmd: Command.Write, flag, value, digest, shingles });
  }

  /** The flag is informational: storages delete the digest whatever its flag (spec §5.5). */
  del(digest: DigestInput, flag = 0): Promise<DecodedReply> {
    return this.send({ cmd: Command.Del, flag, digest });
  }

  /** The count of stored hashes comes back in `flag` (spec §5.4). */
  stat(): Promise<DecodedReply> {
    return this.send({ cmd: Command.Stat });
  }

  /** Not in 3.4 (spec §5.6): never ping a 3.4 server from an address allowed to write. */
  ping(value = 0): Promise<DecodedReply> {
    return this.send({ cmd: Command.Ping, value });
  }

  /** Sends one request and resolves with the reply carrying its tag; bad input rejects with ClientInputError. */
  async send(req: ClientRequest): Promise<DecodedReply> {
    if (this.closed) throw new ClientClosedError();
    const fields = {
      version: this.version,
      cmd: req.cmd,
      flag: checkFlag(req.flag ?? 0),
      value: checkValue(req.value ?? 0),
      digest: req.digest === undefined ? ZERO_DIGEST : toDigest(req.digest),
      shingles: req.shingles ? checkShingles(req.shingles) : null,
      extensions: req.extensions,
    };
    const socket = await this.open();
    if (this.closed) throw new ClientClosedError();
    // From here on everything is synchronous, so the fresh tag cannot be taken by a concurrent send.
    const tag = this.freshTag();
    const plain = encodeRequest({ ...fields, tag });
    const datagram = this.crypto ? encryptRequest(plain, this.crypto.serverKey, this.crypto.client, this.crypto.nm) : plain;
    return new Promise<DecodedReply>((resolve, reject) => {
      const entry: Pending = { datagram, attempts: 0, timer: undefined, resolve, reject };
      this.pending.set(tag, entry);
      this.transmit(socket, tag, entry);
    });
  }

  /** Rejects every request still waiting with ClientClosedError and releases the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [tag, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(tag);
      p.reject(new ClientClosedError());
    }
    const socket = await this.socket?.catch(() => null);
    if (socket) await new Promise<void>((r) => socket.close(() => r()));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  private transmit(socket: Socket, tag: number, p: Pending): void {
    p.attempts++;
    socket.send(p.datagram, (err) => {
      if (err) this.lastSocketError = err;
    });
    p.timer = setTimeout(() => {
      if (this.pending.get(tag) !== p) return;
      if (p.attempts <= this.retries) {
        this.transmit(socket, tag, p);
        return;
      }
      this.pending.delete(tag);
      p.reject(new TimeoutError(tag, p.attempts, this.lastSocketError));
    }, this.timeoutMs);
  }

  /** Replies that do not decrypt, do not parse or carry an unknown tag are ignored, as rspamd's client does (§10). */
  private onMessage(msg: Buffer): void {
    let reply: DecodedReply;
    try {
      reply = decodeReply(this.crypto ? decryptReply(msg, this.crypto.nm) : msg);
    } catch {
      return;
    }
    const p = this.pending.get(reply.tag);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(reply.tag);
    p.resolve(reply);
  }

  private freshTag(): number {
    for (;;) {
      const tag = randomBytes(4).readUInt32LE(0);
      if (!this.pending.has(tag)) return tag;
    }
  }

  private open(): Promise<Socket> {
    this.socket ??= this.connect();
    return this.socket;
  }

  private async connect(): Promise<Socket> {
    const family = isIP(this.host);
    const address = family ? this.host : (await lookup(this.host)).address;
    const socket = createSocket(isIP(address) === 6 ? 'udp6' : 'udp4');
    socket.on('message', (msg) => this.onMessage(msg));
    // ICMP errors (ECONNREFUSED on a connected socket) surface here; like rspamd we keep retransmitting until timeout.
    socket.on('error', (err) => {
      this.lastSocketError = err;
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      socket.once('error', fail);
      socket.connect(this.opts.port, address, () => {
        socket.off('error', fail);
        resolve();
      });
    });
    return socket;
  }
}
