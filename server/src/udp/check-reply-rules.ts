import type { FlagValue } from '../../../shared/protocol/types.js';
import type { CheckResult } from '../fuzzy/fuzzy-backend.js';
import type { ServerKey } from '../keys/server-key.js';
import { type NetworkEntry, NetworkList } from './network-list.js';

/**
 * What a CHECK hit may show to whom, after the store answered (docs/spec/access-controls.md §5, §6.2): rspamd's
 * `delay` / `delay_whitelist` and `forbidden_ids`, the worker's and a key's. Plain data, so UDP threads get the same.
 */
export interface CheckReplyConfig {
  /** Flags never returned (worker `forbidden_ids`). */
  forbiddenIds: number[];
  /** rspamd's `delay`: a hash younger than about 1 to 1.5 × this is not reported; null when off. */
  delaySeconds: number | null;
  /** Sources that see young hashes all the same (`delay_whitelist`). */
  delayWhitelist: NetworkEntry[];
}

export const NO_CHECK_REPLY_RULES: CheckReplyConfig = { forbiddenIds: [], delaySeconds: null, delayWhitelist: [] };

/** The three settings of that name out of the whole config (config/fuzzy-settings.ts): what UDP threads are sent. */
export function checkReplyConfig({ forbiddenIds, delaySeconds, delayWhitelist }: CheckReplyConfig): CheckReplyConfig {
  return { forbiddenIds, delaySeconds, delayWhitelist };
}

/** A CHECK answer as the reply carries it. */
export type CheckAnswer = Pick<CheckResult, 'value' | 'flag' | 'prob' | 'ts' | 'extraFlags'>;

/** The delay test's time (unix seconds) and jitter coin in [0, 1); read only when a delay is set. */
export interface DelayClock {
  nowSeconds(): number;
  coin(): number;
}

const REAL_CLOCK: DelayClock = { nowSeconds: () => Date.now() / 1000, coin: Math.random };

export class CheckReplyRules {
  private readonly forbidden: ReadonlySet<number>;
  private readonly whitelist: NetworkList;
  /** A key's own `forbidden_ids` as a set, made once per key object (keys are replaced, never changed). */
  private readonly keySets = new WeakMap<ServerKey, ReadonlySet<number>>();

  constructor(
    private readonly config: CheckReplyConfig,
    private readonly clock: DelayClock = REAL_CLOCK,
  ) {
    this.forbidden = new Set(config.forbiddenIds);
    this.whitelist = new NetworkList(config.delayWhitelist);
  }

  /**
   * The answer this source gets for a hit: delayed first, then without forbidden flags, as rspamd marks the delay
   * in the check callback and filters in make_reply. The clock is read only with a delay set: a hit pays nothing else.
   */
  shape(r: CheckResult, key: ServerKey | null, address: string): CheckAnswer {
    let answer: CheckAnswer = r;
    const delay = this.config.delaySeconds;
    if (delay !== null && isYoung(r.created ?? r.ts, this.clock.nowSeconds(), delay, this.clock.coin()) && !this.whitelist.contains(address)) {
      // §5: value, prob and ts go; flag, digest and the extra slots stay, as rspamd leaves them.
      answer = { value: 0, flag: r.flag, prob: 0, ts: 0, extraFlags: r.extraFlags };
    }
    const forbidden = this.forbiddenFor(key);
    return forbidden.size === 0 ? answer : withoutForbidden(answer, forbidden);
  }

  /** rspamd 4.1.5: a key's own list replaces the worker's, whatever the answer (§6.2). */
  private forbiddenFor(key: ServerKey | null): ReadonlySet<number> {
    if (!key?.forbiddenIds) return this.forbidden;
    let set = this.keySets.get(key);
    if (!set) this.keySets.set(key, (set = new Set(key.forbiddenIds)));
    return set;
  }
}

/**
 * rspamd's delay test: `now − ts` under `delay + delay/2 · coin`, `ts` being when the hash was first written (Redis's
 * `C`, the reply's ts; on SQLite the result's `created`, the reply's ts being the last write). A miss and a hit
 * without a time (0) are never young. rspamd's SQLite direct hits carry 0 and are never delayed there; here the
 * delay applies to every hit.
 */
export function isYoung(ts: number, nowSeconds: number, delaySeconds: number, coin: number): boolean {
  return ts > 0 && nowSeconds - ts < delaySeconds + (delaySeconds / 2) * coin;
}

/**
 * §6.2 (4.x layout): forbidden slots are removed, order kept; a forbidden primary gives way to the first remaining
 * slot (not the highest), which keeps the primary's prob and ts; nothing left is a miss (value, flag, prob, ts 0).
 */
export function withoutForbidden(a: CheckAnswer, forbidden: ReadonlySet<number>): CheckAnswer {
  const primaryForbidden = forbidden.has(a.flag);
  const extras = a.extraFlags.some((s) => forbidden.has(s.flag)) ? a.extraFlags.filter((s) => !forbidden.has(s.flag)) : a.extraFlags;
  if (!primaryForbidden) return extras === a.extraFlags ? a : { ...a, extraFlags: extras };
  if (extras.length === 0) return { value: 0, flag: 0, prob: 0, ts: 0, extraFlags: [] as FlagValue[] };
  const [first, ...rest] = extras;
  return { value: first.value, flag: first.flag, prob: a.prob, ts: a.ts, extraFlags: rest };
}
