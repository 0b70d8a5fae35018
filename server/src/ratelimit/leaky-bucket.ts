/**
 * rspamd's leaky bucket, as plain arithmetic on three doubles kept elsewhere (a slot of bucket-table.ts's shared
 * Float64Array), so the hot path allocates nothing and the math can be tested with a fake clock passed in as `now`.
 * docs/spec/access-controls.md §4.3 (per network) and §4.5 (per key).
 */

/** Float64 fields of one bucket, from its offset. */
export const LEVEL = 0;
export const LAST = 1;
export const CREATED = 2;
/** Key buckets: 1 while a run of refusals goes on, so only its first is reported. */
export const REFUSING = 3;
export const BUCKET_FLOATS = 4;

/** What charging a bucket decided. `Tripped`: refused, and this request is the one that set the ban (log it once). */
export const ALLOWED = 0;
export const REFUSED = 1;
export const TRIPPED = 2;
export type Admission = typeof ALLOWED | typeof REFUSED | typeof TRIPPED;

/** A bucket seen for the first time: rspamd creates it at level 1 and lets the request through (§4.3 step 1). */
export function startNetworkBucket(f: Float64Array, at: number, now: number): Admission {
  f[at + LEVEL] = 1;
  f[at + LAST] = now;
  f[at + CREATED] = now;
  return ALLOWED;
}

/**
 * A network's existing bucket, rspamd ≥ 3.6 (FSR:109-230): banned (NaN) stays refused; otherwise leak `rate` per
 * second since the last request, and a bucket that is full bans the network and refuses this very request (3.4 let
 * the tripping request through: burst + 1 passed; 3.6+ pass exactly `burst`). The ban ends when the table drops the
 * bucket, `ttl` after its creation (bucket-table.ts): rspamd's "lift after ttl since last" (level = 0.9·burst) can
 * only come later than that, since `last` is never before creation, so it is not modelled.
 */
export function chargeNetworkBucket(f: Float64Array, at: number, now: number, rate: number, burst: number): Admission {
  let level = f[at + LEVEL];
  if (Number.isNaN(level)) return REFUSED;
  level = leak(level, f[at + LAST], now, rate);
  if (now > f[at + LAST]) f[at + LAST] = now;
  if (level >= burst) {
    f[at + LEVEL] = NaN;
    return TRIPPED;
  }
  f[at + LEVEL] = level + 1;
  return ALLOWED;
}

/** A key's bucket starts empty (§4.5: level 0, it lives in the key). */
export function startKeyBucket(f: Float64Array, at: number, now: number): void {
  f[at + LEVEL] = 0;
  f[at + LAST] = now;
  f[at + CREATED] = now;
  f[at + REFUSING] = 0;
}

/**
 * A key's bucket (rspamd ≥ 3.10, "normal" policy, §4.5): no permanent ban. While full, requests are refused without
 * adding to it, and it drains at `rate` per second. rspamd logs every refused request as a new trip; fuzzyd reports
 * only the first refusal of a run (TRIPPED), then REFUSED until it has drained below `burst`, so a flood logs once.
 */
export function chargeKeyBucket(f: Float64Array, at: number, now: number, rate: number, burst: number): Admission {
  const level = leak(f[at + LEVEL], f[at + LAST], now, rate);
  if (now > f[at + LAST]) f[at + LAST] = now;
  if (level >= burst) {
    f[at + LEVEL] = level;
    if (f[at + REFUSING] !== 0) return REFUSED;
    f[at + REFUSING] = 1;
    return TRIPPED;
  }
  f[at + LEVEL] = level + 1;
  f[at + REFUSING] = 0;
  return ALLOWED;
}

/**
 * rspamd sets `last = now` even when `now` is earlier; fuzzyd keeps the later time, since its threads read the clock
 * in no particular order and a late reader must not make the next request leak time twice.
 */
function leak(level: number, last: number, now: number, rate: number): number {
  if (!(now > last)) return level;
  const drained = level - rate * (now - last);
  return drained > 0 ? drained : 0;
}
