import { createHash } from 'node:crypto';
import { Command, type Redis } from 'ioredis';

/**
 * A command whose RESP bytes the caller built (see fuzzy/redis/check-commands.ts): ioredis's own encoding of the same
 * command (per argument a length string, a byteLength, a copy into a fresh buffer, then a concat per pipeline) was the
 * largest single cost of a Redis CHECK on fuzzyd's side (docs/spec/redis.md §5). The name still matters: ioredis
 * reads its flags (subscriber mode, blocking) by name.
 */
export class EncodedCommand extends Command {
  constructor(
    name: string,
    private readonly wire: Buffer,
    replyEncoding: 'utf8' | null,
  ) {
    super(name, [], { replyEncoding });
  }

  override toWritable(): Buffer {
    return this.wire;
  }
}

/** RESP of one command, in one buffer: strings as UTF-8 (as ioredis writes them), buffers as they are. */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  let size = 3 + String(args.length).length;
  for (const a of args) {
    const n = typeof a === 'string' ? Buffer.byteLength(a) : a.length;
    size += 5 + String(n).length + n;
  }
  const wire = Buffer.allocUnsafe(size);
  let at = wire.write(`*${args.length}\r\n`, 0, 'latin1');
  for (const a of args) {
    if (typeof a === 'string') {
      const n = Buffer.byteLength(a);
      at += wire.write(`$${n}\r\n`, at, 'latin1');
      at += wire.write(a, at, 'utf8');
    } else {
      at += wire.write(`$${a.length}\r\n`, at, 'latin1');
      at += a.copy(wire, at);
    }
    at += wire.write('\r\n', at, 'latin1');
  }
  return wire;
}

/**
 * A Lua script sent as EVALSHA through a turn batch; a server that does not have it (NOSCRIPT: restarted, or a new
 * primary after a failover) is sent the whole script with EVAL once. NOSCRIPT means it did not run, so resending is safe.
 */
export class EncodedScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run<T>(batch: RedisTurnBatch, keys: readonly (string | Buffer)[], argv: readonly (string | Buffer)[]): Promise<T> {
    const tail = [String(keys.length), ...keys, ...argv];
    try {
      return await batch.send<T>(new EncodedCommand('evalsha', encodeCommand(['EVALSHA', this.sha, ...tail]), 'utf8'));
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return batch.send<T>(new EncodedCommand('eval', encodeCommand(['EVAL', this.lua, ...tail]), 'utf8'));
    }
  }
}

/** What ioredis's sendCommand writes to when given a pipeline's stream: the bytes are collected, not written. */
interface CollectingStream {
  isPipeline: true;
  destination: { redis: Redis };
  write(chunk: Buffer): void;
}

/**
 * The encoded commands of one event-loop turn, sent to one connection in one write, like ioredis's
 * `enableAutoPipelining` but without a Pipeline object, its result array and a wrapper promise per command. Every
 * command still goes through ioredis's `sendCommand` (at flush, all of a turn's at once, so nothing else is written
 * between them): the connection's policy is unchanged, a command fails at once while disconnected, `commandTimeout`
 * applies, and replies are matched in ioredis's own command queue.
 */
export class RedisTurnBatch {
  private static readonly batches = new WeakMap<Redis, RedisTurnBatch>();
  private queue: EncodedCommand[] = [];
  private readonly chunks: Buffer[] = [];
  private readonly sink: CollectingStream;

  private flushing = false;

  private constructor(private readonly client: Redis) {
    // ioredis keeps this sink with each command it sent and, after a reconnect, resends unanswered commands through
    // it (autoResendUnfulfilledCommands): outside a flush the bytes must go out at once, in the order it resends them.
    this.sink = {
      isPipeline: true,
      destination: { redis: client },
      write: (chunk) => {
        if (this.flushing) this.chunks.push(chunk);
        else this.stream().write(chunk);
      },
    };
  }

  private stream(): NodeJS.WritableStream {
    return (this.client as unknown as { stream: NodeJS.WritableStream }).stream;
  }

  /** The batch of a connection (one per client, made on first use). */
  static of(client: Redis): RedisTurnBatch {
    let batch = RedisTurnBatch.batches.get(client);
    if (!batch) RedisTurnBatch.batches.set(client, (batch = new RedisTurnBatch(client)));
    return batch;
  }

  send<T>(command: EncodedCommand): Promise<T> {
    if (this.queue.length === 0) setImmediate(this.flush);
    this.queue.push(command);
    return command.promise as Promise<T>;
  }

  private readonly flush = (): void => {
    const queue = this.queue;
    this.queue = [];
    // Not ready: sendCommand rejects each command at once and collects nothing.
    this.flushing = true;
    try {
      for (const command of queue) this.client.sendCommand(command, this.sink as never);
    } finally {
      this.flushing = false;
    }
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks.length = 0;
    this.stream().write(data);
  };
}
