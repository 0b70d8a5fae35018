/**
 * A minimal UDP fuzzy client for interop tests: one connected socket (like the 3.4 client), replies matched by tag,
 * one resend on silence. Built on the shared codec so both sides of a test speak the same wire format.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { Command } from '../../shared/protocol/constants.js';
import { decodeReply, encodeRequest, type DecodedReply } from '../../shared/protocol/codec.js';

export interface RawRequest {
  cmd: Command;
  flag?: number;
  value?: number;
  digest: Buffer;
  shingles?: bigint[] | null;
  domain?: string;
}

export class RawFuzzyClient {
  private readonly socket: Socket;
  private readonly pending = new Map<number, (reply: DecodedReply) => void>();
  private connected: Promise<void>;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg) => {
      let reply: DecodedReply;
      try {
        reply = decodeReply(msg);
      } catch {
        return;
      }
      this.pending.get(reply.tag)?.(reply);
    });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.connect(port, host, () => resolve());
    });
  }

  /** Sends `req` and resolves with the reply; rejects when no reply comes after `attempts` sends. */
  async send(req: RawRequest, opts: { timeoutMs?: number; attempts?: number } = {}): Promise<DecodedReply> {
    await this.connected;
    const tag = randomInt(1, 0xffffffff);
    const datagram = encodeRequest({
      cmd: req.cmd,
      flag: req.flag ?? 0,
      value: req.value ?? 0,
      tag,
      digest: req.digest,
      shingles: req.shingles ?? null,
      extensions: req.domain ? { domain: req.domain } : undefined,
    });
    const timeoutMs = opts.timeoutMs ?? 1000;
    const attempts = opts.attempts ?? 2;
    try {
      for (let attempt = 0; attempt < attempts; attempt++) {
        const reply = await new Promise<DecodedReply | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), timeoutMs);
          this.pending.set(tag, (r) => {
            clearTimeout(timer);
            resolve(r);
          });
          this.socket.send(datagram);
        });
        if (reply) return reply;
      }
    } finally {
      this.pending.delete(tag);
    }
    throw new Error(`no reply from ${this.host}:${this.port} to cmd ${req.cmd} after ${attempts} sends`);
  }

  check(digest: Buffer, shingles?: bigint[] | null): Promise<DecodedReply> {
    return this.send({ cmd: Command.Check, digest, shingles, domain: 'lucky-offers.example' });
  }

  write(digest: Buffer, flag: number, value: number, shingles?: bigint[] | null): Promise<DecodedReply> {
    return this.send({ cmd: Command.Write, flag, value, digest, shingles, domain: 'lucky-offers.example' });
  }

  del(digest: Buffer, flag: number): Promise<DecodedReply> {
    return this.send({ cmd: Command.Del, flag, digest });
  }

  /** The storage's hash count (3.4 carries it in `flag`). */
  async count(): Promise<number> {
    const reply = await this.send({ cmd: Command.Stat, digest: Buffer.alloc(64) });
    return reply.flag;
  }

  close(): void {
    this.socket.close();
  }
}

export function randomDigest(): Buffer {
  return randomBytes(64);
}

/**
 * 32 random u64 shingles. The even positions are ≥ 2^63, which rspamd stores as negative SQLite integers
 * (fuzzy-storage.md §2.3), so a reader that gets the sign conversion wrong cannot pass. No fixed values: a (value,
 * position) slot belongs to one digest only, and shared slots would bring in rspamd's multi-candidate vote quirk
 * (fuzzy-protocol.md §5.3).
 */
export function randomShingles(): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < 32; i++) {
    const v = randomBytes(8).readBigUInt64LE(0);
    out.push(i % 2 === 0 ? v | (1n << 63n) : v & ((1n << 63n) - 1n));
  }
  return out;
}

/** A copy of `shingles` whose first `changed` positions hold fresh random values; the other 32 − changed match. */
export function mutateShingles(shingles: bigint[], changed: number): bigint[] {
  return shingles.map((s, i) => (i < changed ? randomBytes(8).readBigUInt64LE(0) : s));
}
