import type { NeuralLockInfo } from '../../../lib/api-types';
import { formatDuration, formatUnixSeconds } from '../../../lib/format';

export type LockTone = 'ok' | 'warn' | 'danger';

export interface LockView {
  tone: LockTone;
  /** Short state for a badge. */
  label: string;
  /** The sentence under it. */
  text: string;
}

/**
 * Puts rspamd's lock semantics (spec §8) into words. `ageSeconds` is the server's at fetch time; `elapsed` (seconds
 * since that fetch) keeps the numbers moving between polls.
 */
export function describeLock(lock: NeuralLockInfo, elapsed = 0): LockView {
  if (!lock.locked) return { tone: 'ok', label: 'Unlocked', text: 'No training holds this profile; scanners add vectors.' };
  const host = lock.hostname ?? 'an unknown host';
  if (lock.lockTime === null) {
    return {
      tone: 'danger',
      label: 'Locked (bad value)',
      text: `Locked by ${host} with a lock value that is not a time: it never expires by itself and scanners add no vectors until it is broken.`,
    };
  }
  const age = (lock.ageSeconds ?? 0) + elapsed;
  const expiresAt = lock.expiresAt ?? lock.lockTime;
  const left = expiresAt - (lock.lockTime + age);
  if (lock.held && left > 0) {
    return {
      tone: 'warn',
      label: 'Training',
      text: `Held by ${host} for ${formatDuration(age)}; expires at ${formatUnixSeconds(expiresAt)} (in ${formatDuration(left)}).`,
    };
  }
  return {
    tone: 'danger',
    label: 'Stale lock',
    text: `Left by ${host} ${formatDuration(age)} ago; expired at ${formatUnixSeconds(expiresAt)}. Scanners add no vectors while it stays; the next training takes it over, or break it.`,
  };
}
