import { Command, ReplyCode } from '../../../shared/protocol/constants.js';
import { decodeRequest } from '../../../shared/protocol/codec.js';
import { encodeReply } from '../../../shared/protocol/reply-codec.js';
import { type FuzzyCrypto, isEncrypted } from '../../../shared/protocol/fuzzy-crypto.js';
import type { FuzzyRequest } from '../../../shared/protocol/types.js';
import type { CheckResult, FuzzyBackend } from '../fuzzy/fuzzy-backend.js';
import type { AccessPolicy } from './access-policy.js';
import { RetransmitCache } from './retransmit-cache.js';
import type { Outcome, UdpStats } from './udp-stats.js';

export type SendReply = (reply: Buffer) => void;

export interface HandlerOptions {
  backend: FuzzyBackend;
  policy: AccessPolicy;
  stats: UdpStats;
  crypto: FuzzyCrypto | null;
  encryptedOnly: boolean;
  readOnly: boolean;
  /** Told about refused writes and failed commits (rate-limited by the caller's logger). */
  onWarning: (message: string, context: Record<string, unknown>) => void;
}

/**
 * rspamd's fuzzy pipeline (spec/fuzzy-protocol.md §5): drop blocked sources, decrypt, parse, check permission,
 * dispatch, reply. Silence is part of the protocol: malformed or undecryptable datagrams get no reply. No framework
 * code runs per datagram; replies go out through `send`, synchronously when the store answers synchronously.
 */
export class RequestHandler {
  private readonly retransmits = new RetransmitCache();

  constructor(private readonly o: HandlerOptions) {}

  handle(datagram: Buffer, address: string, port: number, send: SendReply): void {
    const { policy, stats, crypto } = this.o;
    if (policy.isBlocked(address)) {
      stats.blocked++;
      return;
    }
    let plain = datagram;
    let nm: Uint8Array | null = null;
    let req: FuzzyRequest;
    try {
      if (isEncrypted(datagram)) {
        if (!crypto) throw new Error('encrypted request but no keypair configured');
        const decrypted = crypto.decryptRequest(datagram);
        plain = decrypted.plain;
        nm = decrypted.nm;
      }
      req = decodeRequest(plain);
    } catch {
      stats.recordInvalid();
      return;
    }
    const started = performance.now();
    const reply = (value: number, flag: number, prob: number, digest: Buffer, ts: number): Buffer => {
      let out = encodeReply({ value, flag, tag: req.tag, prob, digest, ts }, req.version);
      if (nm && crypto) out = crypto.encryptReply(out, nm);
      send(out);
      stats.observeLatency((performance.now() - started) / 1000);
      return out;
    };

    // §5.2: encrypted_only refuses every plaintext command, STAT included, with a plaintext 403.
    if (this.o.encryptedOnly && !nm) {
      stats.record(req.cmd, 'denied');
      reply(ReplyCode.Forbidden, req.flag, 0, req.digest, 0);
      return;
    }
    switch (req.cmd) {
      case Command.Check:
        return this.check(req, reply);
      case Command.Stat:
        return this.stat(req, reply);
      case Command.Ping:
        // rspamd ≥ 3.10's PING: value echoed, no permission needed (§5.6).
        stats.record(req.cmd, 'ok');
        reply(req.value, req.flag, 1, req.digest, 0);
        return;
      case Command.Write:
      case Command.Del:
        return this.update(req, address, port, reply);
      default:
        // Unknown commands are refused and never queued (§5.6).
        stats.record(req.cmd, 'denied');
        reply(ReplyCode.Forbidden, req.flag, 0, req.digest, 0);
    }
  }

  private check(req: FuzzyRequest, reply: ReplyFn): void {
    const answer = (r: CheckResult): void => {
      this.o.stats.record(req.cmd, r.prob > 0.5 ? 'hit' : 'miss');
      reply(r.value, r.flag, r.prob, r.digest, r.ts);
    };
    const result = this.o.backend.check(req.digest, req.shingles);
    if (!(result instanceof Promise)) return answer(result);
    result.then(answer, (err: Error) => {
      // A backend failure looks like a miss to the client, as in rspamd (§5.3 table).
      this.o.stats.record(req.cmd, 'error');
      this.o.onWarning('check failed', { error: err.message });
      reply(0, 0, 0, Buffer.alloc(0), 0);
    });
  }

  private stat(req: FuzzyRequest, reply: ReplyFn): void {
    const answer = (count: number): void => {
      this.o.stats.record(req.cmd, 'ok');
      // 3.4 carries the count in `flag` with prob 1 (§5.4).
      reply(0, count, 1, req.digest, 0);
    };
    const count = this.o.backend.count();
    if (!(count instanceof Promise)) return answer(count);
    count.then(answer, () => answer(0));
  }

  private update(req: FuzzyRequest, address: string, port: number, reply: ReplyFn): void {
    const { stats, policy, backend } = this.o;
    const write = req.cmd === Command.Write;
    if (this.o.readOnly || !policy.mayWrite(address)) {
      stats.record(req.cmd, 'denied');
      this.o.onWarning(`refused ${write ? 'WRITE' : 'DEL'}: source not in allow_update`, {
        source: address,
        reason: this.o.readOnly ? 'read_only' : 'allow_update',
      });
      reply(ReplyCode.Forbidden, req.flag, 0, req.digest, 0);
      return;
    }
    if (write && policy.isSkipped(req.digest)) {
      stats.record(req.cmd, 'skipped');
      reply(ReplyCode.Skipped, req.flag, 0, req.digest, 0);
      return;
    }
    const key = RetransmitCache.key(address, port, req.tag, req.digest);
    const seen = this.retransmits.lookup(key);
    if (seen !== undefined) {
      // A resend: acknowledge again once the first copy is committed; stay quiet while it still is committing.
      stats.duplicates++;
      if (seen === 'done') reply(ReplyCode.Ok, req.flag, 1, req.digest, 0);
      return;
    }
    this.retransmits.begin(key);
    // The digest and shingles stay views into the datagram: node:dgram hands every message a fresh Buffer.
    const op = write
      ? { kind: 'write' as const, digest: req.digest, flag: req.flag, value: req.value, shingles: req.shingles }
      : { kind: 'del' as const, digest: req.digest };
    backend.update(op).then(
      (r) => {
        stats.record(req.cmd, r.status === 'not-found' ? 'not-found' : 'ok');
        this.retransmits.finish(key, true);
        reply(ReplyCode.Ok, req.flag, 1, req.digest, 0);
      },
      (err: Error) => {
        // Never acknowledge what was not committed: the client sees an error and can retry.
        stats.record(req.cmd, 'error');
        this.o.onWarning('update failed', { error: err.message, source: address });
        this.retransmits.finish(key, false);
        reply(ReplyCode.InternalError, req.flag, 0, req.digest, 0);
      },
    );
  }
}

type ReplyFn = (value: number, flag: number, prob: number, digest: Buffer, ts: number) => Buffer;
