/**
 * Training-lock arithmetic of rspamd 3.4 (spec/neural.md §6.3, §8). Pure: the caller supplies the hash fields and
 * the current unix second.
 */

/** rspamd passes max(10, 2·watch_interval) as the lock expiry — not the dead `lock_expire` option (§2, §6.3). */
export function lockExpireSeconds(watchInterval: number): number {
  return Math.max(10, 2 * watchInterval);
}

export interface LockState {
  /** A `lock` field exists: scanners refuse to add vectors, however old it is (§6.1). */
  locked: boolean;
  /** `maybe_lock` would refuse: 0 < now − lock < expire (§8). */
  held: boolean;
  lockTime: number | null;
  /** The raw field when it is not a number (such a lock still blocks vectors but never counts as held). */
  lockRaw: string | null;
  hostname: string | null;
  ageSeconds: number | null;
  /** Unix second from which the lock counts as stale and can be taken over. */
  expiresAt: number | null;
  expireSeconds: number;
}

export function computeLockState(
  lockRaw: string | null,
  hostname: string | null,
  now: number,
  watchInterval: number,
): LockState {
  const expireSeconds = lockExpireSeconds(watchInterval);
  const unknown = { held: false, lockTime: null, lockRaw, hostname, ageSeconds: null, expiresAt: null, expireSeconds };
  if (lockRaw === null) return { locked: false, ...unknown };
  const lockTime = lockRaw.trim() === '' ? NaN : Number(lockRaw);
  if (!Number.isFinite(lockTime)) return { locked: true, ...unknown };
  const age = now - lockTime;
  return {
    locked: true,
    held: age > 0 && age < expireSeconds,
    lockTime,
    lockRaw,
    hostname,
    ageSeconds: age,
    expiresAt: lockTime + expireSeconds,
    expireSeconds,
  };
}

/** The current unix second, as rspamd writes it into `lock` (§3). */
export function unixSeconds(nowMs = Date.now()): number {
  return Math.floor(nowMs / 1000);
}
