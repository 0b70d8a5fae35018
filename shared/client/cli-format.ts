/** Turns a CLI command's reply into a verdict, a human line and a JSON object (spec §6.4, §10 for the meanings). */
import { ReplyCode } from '../protocol/constants.js';
import type { DecodedReply } from '../protocol/reply-codec.js';
import type { CliCommand } from './cli-args.js';

export type Verdict = 'hit' | 'miss' | 'ok' | 'refused' | 'skipped' | 'failed';

const REFUSALS: ReadonlySet<number> = new Set([ReplyCode.Forbidden, ReplyCode.EncryptionRequired, ReplyCode.Refused]);

/**
 * rspamd's client reading (§10): prob > 0.5 is a hit for CHECK and success for everything else; 401 and the refusal
 * codes (403, and since 3.10 415 and 503) with prob 0 are errors.
 */
export function verdictOf(kind: CliCommand['kind'], reply: DecodedReply): Verdict {
  if (reply.prob <= 0.5 && REFUSALS.has(reply.value)) return 'refused';
  if (reply.prob <= 0.5 && reply.value === ReplyCode.Skipped) return 'skipped';
  if (kind === 'check') return reply.prob > 0.5 ? 'hit' : 'miss';
  if (kind === 'ping') return 'ok';
  return reply.prob > 0.5 ? 'ok' : 'failed';
}

/** Exit status: the server answered, but refused or failed the request. */
export function isRefusal(v: Verdict): boolean {
  return v === 'refused' || v === 'skipped' || v === 'failed';
}

const short = (hex: string): string => `${hex.slice(0, 8)}..`;

export function formatHuman(cmd: Exclude<CliCommand, { kind: 'help' }>, reply: DecodedReply, rttMs: number): string {
  const v = verdictOf(cmd.kind, reply);
  const prob = reply.prob.toFixed(2);
  const subject = 'digest' in cmd ? `${cmd.kind} ${short(cmd.digest)}` : cmd.kind;
  if (v === 'refused') return `${subject}: refused (${reply.value})`;
  if (v === 'skipped') return `${subject}: skipped (401)`;
  if (v === 'failed') return `${subject}: failed value=${reply.value} prob=${prob}`;
  switch (cmd.kind) {
    case 'check': {
      if (v === 'miss') return `${subject}: miss${reply.prob > 0 ? ` prob=${prob}` : ''}`;
      const replyHex = reply.digest.toString('hex');
      // A stored digest other than ours means a shingle (fuzzy) match, which is how rspamd tells the two apart (§5.3).
      const fuzzy = reply.extended && replyHex !== cmd.digest ? ` matched=${short(replyHex)}` : '';
      const extra = reply.extraFlags.map((f) => ` +flag=${f.flag} value=${f.value}`).join('');
      return `${subject}: hit flag=${reply.flag} value=${reply.value}${extra} prob=${prob}${fuzzy}`;
    }
    case 'add':
      return `${subject}: ok flag=${cmd.flag} weight=${cmd.weight}`;
    case 'del':
      return `${subject}: ok`;
    case 'stat':
      return `stat: ${statCount(reply)} hashes`;
    case 'ping':
      return `ping: ok value=${reply.value} time=${rttMs.toFixed(1)}ms`;
  }
}

export function formatJson(
  cmd: Exclude<CliCommand, { kind: 'help' }>,
  server: string,
  reply: DecodedReply,
  rttMs: number,
): string {
  const out: Record<string, unknown> = {
    command: cmd.kind,
    server,
    ...('digest' in cmd ? { digest: cmd.digest } : {}),
    result: verdictOf(cmd.kind, reply),
    ...(cmd.kind === 'stat' ? { count: statCount(reply) } : {}),
    reply: {
      value: reply.value,
      flag: reply.flag,
      tag: reply.tag,
      prob: reply.prob,
      digest: reply.extended ? reply.digest.toString('hex') : null,
      ts: reply.ts,
      extended: reply.extended,
      extraFlags: reply.extraFlags,
      matched: reply.matched,
    },
    rttMs: Math.round(rttMs * 1000) / 1000,
  };
  return toJson(out);
}

/** rspamd ≥ 3.8 splits STAT's 64-bit count: the high half in `value`, the low half in `flag` (§5.4). */
function statCount(reply: DecodedReply): number {
  return (reply.value >>> 0) * 0x1_0000_0000 + reply.flag;
}

/** JSON with bigints written as decimal strings (shingles do not fit a JSON number). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}
