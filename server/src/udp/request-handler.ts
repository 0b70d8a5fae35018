import { Command, MULTI_FLAG_REPLY_BYTES, PLAIN_COMMAND_BYTES, ReplyCode, SHINGLED_COMMAND_BYTES } from '../../../shared/protocol/constants.js';
import { decodeRequest } from '../../../shared/protocol/codec.js';
import { DecryptError, MalformedRequestError } from '../../../shared/protocol/errors.js';
import { encodeReply } from '../../../shared/protocol/reply-codec.js';
import { isEncrypted } from '../../../shared/protocol/fuzzy-crypto.js';
import type { FlagValue, FuzzyRequest } from '../../../shared/protocol/types.js';
import { type CheckResult, type FuzzyBackend, StoreOverloadedError } from '../fuzzy/fuzzy-backend.js';
import { type CheckRefusal, checkRefusal, keyLabel, type ServerKey } from '../keys/server-key.js';
import { decideWrite, WRITE_REFUSALS } from '../keys/write-permission.js';
import type { HandlerOptions, SendReply, ThreadDispatch } from './request-handler-options.js';
import { type ReplyCodeSet, refusalCodes } from './reply-codes.js';
import { RetransmitCache } from './retransmit-cache.js';
import { type CheckReplyConfig, CheckReplyRules, NO_CHECK_REPLY_RULES } from './check-reply-rules.js';
import { admitRequest, refuseLimited } from '../ratelimit/admit-request.js';
import { countApplied, countHitFlags, countRefused, KO, type KeyFlagSink, NO_KEY_FLAG_COUNTS } from './key-flag-counters.js';

export type { HandlerOptions, SendReply, ThreadDispatch } from './request-handler-options.js';

const NO_FLAGS: readonly FlagValue[] = [];
const NO_KEY_IDS: ReadonlySet<string> = new Set();
const CHECK_REFUSALS: Readonly<Record<CheckRefusal, string>> = { disabled: 'is disabled', expired: 'is expired', 'no-read': 'has no read right' };

/**
 * rspamd's fuzzy pipeline (docs/spec/fuzzy-protocol.md §5, access-controls.md §0): drop blocked sources, decrypt
 * with the key the key ring picks, parse, `encrypted_only`, the key's CHECK gates, write permission
 * (keys/write-permission.ts), dispatch, reply. Silence is part of the protocol: malformed or undecryptable datagrams
 * get no reply; they are counted by reason. No framework code runs per datagram; replies go out through `send`, synchronously when the store
 * answers synchronously. The same handler serves UDP datagrams and TCP frames; `handle` says whether a reply will
 * come, so a TCP connection counts only requests that still owe one.
 */
export class RequestHandler {
  private readonly retransmits = new RetransmitCache();
  private readonly replyCodes: ReplyCodeSet;
  private checkRules: CheckReplyRules;
  private readonly keyStats: KeyFlagSink;

  constructor(private readonly o: HandlerOptions) {
    this.replyCodes = o.replyCodes ?? 'auto';
    this.keyStats = o.keyStats ?? NO_KEY_FLAG_COUNTS;
    this.checkRules = new CheckReplyRules(o.checkReplies ?? NO_CHECK_REPLY_RULES);
    if (!o.backend === !o.thread) throw new Error('a request handler has either a backend or a thread dispatch');
  }

  /** `delay`, `delay_whitelist` and `forbidden_ids` changed while serving (access/settings): the next CHECK obeys them. */
  setCheckReplies(config: CheckReplyConfig): void {
    this.checkRules = new CheckReplyRules(config);
  }

  /** Only reached on the main thread (a UDP thread forwards everything that needs the store). */
  private get store(): FuzzyBackend {
    return this.o.backend!;
  }

  /** `admitted`: a UDP thread charged this request's rate limits already and forwarded it (never charge twice). */
  handle(datagram: Buffer, address: string, port: number, send: SendReply, admitted = false, transport: 'udp' | 'tcp' = 'udp'): boolean {
    const { policy, stats, crypto, thread } = this.o;
    // A thread whose blocked list or keys may be older than the main thread's decides nothing, not even which key
    // a datagram is for (a key added a moment ago): the main thread does it all until the new copy arrives.
    if (thread && !thread.policyCurrent()) return this.forwardUndecided(thread, datagram, address, port, send);
    if (policy.isBlocked(address)) {
      stats.countBlocked();
      return false;
    }
    let plain = datagram;
    let nm: Uint8Array | null = null;
    let key: ServerKey | null = null;
    let req: FuzzyRequest;
    try {
      if (isEncrypted(datagram)) {
        if (!crypto) throw new DecryptError('no-keys', 'encrypted request but no keypair configured');
        const decrypted = crypto.decryptRequest(datagram);
        plain = decrypted.plain;
        nm = decrypted.nm;
        key = decrypted.keypair;
      }
      req = decodeRequest(plain);
    } catch (err) {
      this.dropped(err, address);
      return false;
    }
    const started = performance.now();
    const reply = (value: number, flag: number, prob: number, digest: Buffer, ts: number, extraFlags = NO_FLAGS, matched = false): void => {
      let out = encodeReply({ value, flag, tag: req.tag, prob, digest, ts, extraFlags, matched }, req.reply);
      if (nm && crypto) out = crypto.encryptReply(out, nm);
      send(out);
      stats.observeLatency((performance.now() - started) / 1000);
    };
    const codes = refusalCodes(this.replyCodes, req.reply);

    // §5.2: encrypted_only refuses every plaintext command, STAT included, with a plaintext reply.
    if (this.o.encryptedOnly && !nm) {
      stats.record(req.cmd, 'denied');
      this.countRefused(req, null, KO.forbidden);
      reply(codes.encryptionRequired, req.flag, 0, req.digest, 0);
      return true;
    }
    // Rate limits (access-controls.md §0 step G): charged here, applied after the key's gates, since a 503 wins.
    const limited = !admitted && this.o.rateLimits ? admitRequest(this.o.rateLimits, req.cmd, address, key, stats) : false;
    // The key's CHECK gates (access-controls.md §0 step H), wherever the CHECK is answered, UDP thread or main.
    if (req.cmd === Command.Check && key && this.refusedCheck(req, key, address, codes.refused, reply)) return true;
    if (limited) {
      this.keyStats.countKey(key, req.cmd, KO.ratelimited);
      return refuseLimited(req, stats, reply);
    }
    if (thread) {
      if (this.answeredOnThread(thread, req, key, address, reply)) return true;
      return this.forward(thread, req, key, datagram, address, port, send, reply, !!this.o.rateLimits);
    }
    switch (req.cmd) {
      case Command.Check:
        this.check(req, key, address, reply);
        return true;
      case Command.Stat:
        this.stat(req, key, reply);
        return true;
      case Command.Ping:
        this.ping(req, key, reply);
        return true;
      case Command.Write:
      case Command.Del:
        return this.update(req, key, plain, address, port, codes.refused, reply, transport);
      default:
        // Unknown commands are refused and never queued (§5.6).
        stats.record(req.cmd, 'denied');
        this.keyStats.countKey(key, req.cmd, KO.forbidden);
        reply(codes.refused, req.flag, 0, req.digest, 0);
        return true;
    }
  }

  /** rspamd ≥ 3.10: an expired key's CHECKs are refused; rspamd ≥ 3.11.1: so are those of a key without READ; fuzzyd: a disabled key's. */
  private refusedCheck(req: FuzzyRequest, key: ServerKey, address: string, refused: number, reply: ReplyFn): boolean {
    const why = checkRefusal(key, Date.now());
    if (!why) return false;
    this.o.stats.record(req.cmd, 'denied');
    this.keyStats.countKey(key, req.cmd, why === 'expired' ? KO.expired : KO.forbidden);
    this.o.onWarning(`refused CHECK: key ${CHECK_REFUSALS[why]}`, { source: address, key: keyLabel(key) });
    reply(refused, req.flag, 0, req.digest, 0);
    return true;
  }

  /** Forwards a datagram as it came; with the queue full it is dropped and counted (it has not even been parsed). */
  private forwardUndecided(thread: ThreadDispatch, datagram: Buffer, address: string, port: number, send: SendReply): boolean {
    if (thread.forward(datagram, address, port, send)) return true;
    this.o.stats.recordInvalid('overloaded');
    return false;
  }

  /** A UDP thread answers CHECK and PING itself when it can; the rest is forwarded. */
  private answeredOnThread(thread: ThreadDispatch, req: FuzzyRequest, key: ServerKey | null, address: string, reply: ReplyFn): boolean {
    if (req.cmd === Command.Ping) {
      this.ping(req, key, reply);
      return true;
    }
    if (req.cmd !== Command.Check) return false;
    const result = thread.check(req.digest, req.shingles);
    if (!result) return false;
    this.answerCheck(req, key, address, reply, result);
    return true;
  }

  /** rspamd ≥ 3.8's PING: value echoed, no permission needed (§5.6). */
  private ping(req: FuzzyRequest, key: ServerKey | null, reply: ReplyFn): void {
    this.o.stats.record(req.cmd, 'ok');
    this.keyStats.countKey(key, req.cmd, KO.ok);
    reply(req.value, req.flag, 1, req.digest, 0);
  }

  private forward(thread: ThreadDispatch, req: FuzzyRequest, key: ServerKey | null, datagram: Buffer, address: string, port: number, send: SendReply, reply: ReplyFn, admitted: boolean): boolean {
    if (thread.forward(datagram, address, port, send, admitted)) return true;
    // More requests wait for the main thread than it can take (a flood past the write queue's bound).
    this.o.stats.record(req.cmd, 'overloaded');
    this.countRefused(req, key, KO.overloaded);
    this.o.onWarning('refused a request: the queue to the main thread is full', { source: address });
    if (req.cmd === Command.Check) reply(0, 0, 0, req.digest, 0);
    else reply(ReplyCode.Refused, req.flag, 0, req.digest, 0);
    return true;
  }

  /** Counts a datagram that gets no reply by its reason, and tells the log (rate-limited per reason). */
  private dropped(err: unknown, address: string): void {
    const reason =
      err instanceof MalformedRequestError ? err.reason : err instanceof DecryptError ? `decrypt-${err.reason}` : 'unknown';
    this.o.stats.recordInvalid(reason);
    this.o.onWarning(`dropped datagram (${reason})`, { source: address, reason, detail: (err as Error).message });
  }

  private answerCheck(req: FuzzyRequest, key: ServerKey | null, address: string, reply: ReplyFn, r: CheckResult): void {
    const hit = r.prob > 0.5;
    // rspamd ≥ 3.13: a match on a digest in skip_hashes (directly or through shingles) is answered 401.
    if (hit && r.value > 0 && this.o.policy.isSkipped(r.digest)) {
      this.o.stats.record(req.cmd, 'skipped');
      this.keyStats.countKey(key, req.cmd, KO.skipped);
      reply(ReplyCode.Skipped, r.flag, 0, r.digest, 0);
      return;
    }
    // delay and forbidden_ids (check-reply-rules.ts): what this source may see of the hit.
    const a = hit ? this.checkRules.shape(r, key, address) : r;
    const shown = a.prob > 0.5;
    this.o.stats.record(req.cmd, shown ? 'hit' : 'miss');
    this.keyStats.countKey(key, req.cmd, shown ? KO.ok : KO.miss);
    // Only a 4.x client's 144-byte reply carries the extra slots; a 3.x client is shown the primary flag alone.
    if (shown) countHitFlags(this.keyStats, a.flag, req.reply === MULTI_FLAG_REPLY_BYTES ? a.extraFlags : NO_FLAGS);
    reply(a.value, a.flag, a.prob, r.digest, a.ts, a.extraFlags, shown);
  }

  private check(req: FuzzyRequest, key: ServerKey | null, address: string, reply: ReplyFn): void {
    const result = this.store.check(req.digest, req.shingles);
    if (!(result instanceof Promise)) return this.answerCheck(req, key, address, reply, result);
    result.then((r) => this.answerCheck(req, key, address, reply, r), (err: Error) => {
      // A backend failure looks like a miss to the client, as in rspamd (§5.3 table; docs/spec/redis.md §2): counted
      // as `overloaded` when too many CHECKs already wait for the store, else as `error` (the store did not answer).
      const overloaded = err instanceof StoreOverloadedError;
      this.o.stats.record(req.cmd, overloaded ? 'overloaded' : 'error');
      this.keyStats.countKey(key, req.cmd, overloaded ? KO.overloaded : KO.error);
      this.o.onWarning('check failed', { error: err.message });
      reply(0, 0, 0, Buffer.alloc(0), 0);
    });
  }

  private stat(req: FuzzyRequest, key: ServerKey | null, reply: ReplyFn): void {
    const answer = (count: number): void => {
      this.o.stats.record(req.cmd, 'ok');
      this.keyStats.countKey(key, req.cmd, KO.ok);
      // rspamd ≥ 3.8 splits the 64-bit count: high half in `value`, low half in `flag` (§5.4); a 3.4 client reads
      // `flag`, the same number below 2^32. prob stays 1 as in 3.4: rspamd ≥ 3.8 sends the count itself, which makes
      // its clients hide an empty storage instead of showing 0.
      reply(Math.floor(count / 0x1_0000_0000), count % 0x1_0000_0000, 1, req.digest, 0);
    };
    const count = this.store.count();
    if (!(count instanceof Promise)) return answer(count);
    count.then(answer, () => answer(0));
  }

  private overloaded(req: FuzzyRequest, key: ServerKey | null, address: string, reply: ReplyFn): void {
    this.o.stats.record(req.cmd, 'overloaded');
    this.countRefused(req, key, KO.overloaded);
    this.o.onWarning('refused updates: the write queue is full', { source: address });
    reply(ReplyCode.Refused, req.flag, 0, req.digest, 0);
  }

  /** False when the request is a resend whose first copy is still committing: that one's reply is the answer. */
  private update(
    req: FuzzyRequest,
    key: ServerKey | null,
    plain: Buffer,
    address: string,
    port: number,
    refused: number,
    reply: ReplyFn,
    transport: 'udp' | 'tcp',
  ): boolean {
    const { stats, policy } = this.o;
    const backend = this.store;
    const write = req.cmd === Command.Write;
    const decision = decideWrite({
      cmd: req.cmd,
      readOnly: this.o.readOnly,
      allowUpdateConfigured: policy.allowUpdate.length > 0,
      sourceAllowed: policy.mayWrite(address),
      allowUpdateKeys: this.o.allowUpdateKeys ?? NO_KEY_IDS,
      key,
    });
    if (!decision.allowed) {
      stats.record(req.cmd, 'denied');
      this.countRefused(req, key, KO.forbidden);
      this.o.onWarning(`refused ${write ? 'WRITE' : 'DEL'}: ${WRITE_REFUSALS[decision.reason]}`, {
        source: address,
        reason: decision.reason,
        ...(key ? { key: keyLabel(key) } : {}),
      });
      reply(refused, req.flag, 0, req.digest, 0);
      return true;
    }
    if (write && policy.isSkipped(req.digest)) {
      stats.record(req.cmd, 'skipped');
      this.countRefused(req, key, KO.skipped);
      reply(ReplyCode.Skipped, req.flag, 0, req.digest, 0);
      return true;
    }
    const resend = RetransmitCache.key(address, port, plain.subarray(0, req.shingles ? SHINGLED_COMMAND_BYTES : PLAIN_COMMAND_BYTES));
    const seen = this.retransmits.lookup(resend);
    if (seen !== undefined) {
      // A resend: acknowledge again once the first copy is committed; stay quiet while it still is committing.
      stats.countDuplicate();
      if (seen === 'done') reply(ReplyCode.Ok, req.flag, 1, req.digest, 0);
      return seen === 'done';
    }
    if (!backend.acceptsUpdates()) {
      // A write flood past the queue's bound: refused at once, like a busy server (the client's learn fails with 503).
      this.overloaded(req, key, address, reply);
      return true;
    }
    this.retransmits.begin(resend);
    // The digest and shingles stay views into the datagram: node:dgram hands every message a fresh Buffer.
    // A client that reads multi-flag replies gets rspamd 4.x's multi-flag rule, others 3.4's (update-rule.ts).
    const rule = req.reply === MULTI_FLAG_REPLY_BYTES ? ('multi' as const) : ('single' as const);
    const op = write
      ? { kind: 'write' as const, digest: req.digest, flag: req.flag, value: req.value, shingles: req.shingles, rule, weak: this.o.weakIds?.has(req.flag) }
      : { kind: 'del' as const, digest: req.digest };
    // Who wrote it, for the audit trail: the key's name when it came encrypted, else the source address.
    const audit = { via: transport, actor: key ? `key:${keyLabel(key)}` : address, source: address };
    backend.update(op, { audit }).then(
      (r) => {
        stats.record(req.cmd, r.status === 'not-found' ? 'not-found' : 'ok');
        countApplied(this.keyStats, req.cmd, req.flag, key, r.status !== 'not-found');
        this.retransmits.finish(resend, true);
        reply(ReplyCode.Ok, req.flag, 1, req.digest, 0);
      },
      (err: Error) => {
        // Never acknowledge what was not committed: the client sees an error and can retry.
        this.retransmits.finish(resend, false);
        if (err instanceof StoreOverloadedError) {
          this.overloaded(req, key, address, reply);
          return;
        }
        stats.record(req.cmd, 'error');
        this.keyStats.countKey(key, req.cmd, KO.error);
        this.o.onWarning('update failed', { error: err.message, source: address });
        reply(ReplyCode.InternalError, req.flag, 0, req.digest, 0);
      },
    );
    return true;
  }

  private countRefused(req: FuzzyRequest, key: ServerKey | null, outcome: number): void {
    countRefused(this.keyStats, req.cmd, req.flag, key, outcome);
  }
}

type ReplyFn = (
  value: number,
  flag: number,
  prob: number,
  digest: Buffer,
  ts: number,
  extraFlags?: readonly FlagValue[],
  matched?: boolean,
) => void;
