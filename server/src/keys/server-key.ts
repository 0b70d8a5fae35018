import { type KeypairConfig, type ServerKeypair, loadServerKeypair } from '../../../shared/protocol/crypto-keys.js';

/**
 * A server key as rspamd ≥ 3.11.1 knows it (docs/spec/access-controls.md §2): the keypair, and the per-key options
 * of its `extensions { … }` object. The key a request was encrypted to decides its rights, expiry and limits.
 */

/** What a key lets its clients do (§2.2): rspamd's FUZZY_KEY_READ / WRITE / DELETE bits. */
export interface KeyRights {
  read: boolean;
  write: boolean;
  delete: boolean;
}

/** A key without `read_only` or `allowed_ops` may only read (FSK:311). */
export const DEFAULT_KEY_RIGHTS: Readonly<KeyRights> = Object.freeze({ read: true, write: false, delete: false });

/** A `ratelimit` extension as written: `"N / T"`, `{ burst; rate }` or `[burst, rate]` (§4.5; ratelimit/key-limit.ts reads it). */
export type KeyRateLimitText = string | { burst: number | string; rate: number | string } | [number, number];

/** The parsed `extensions { … }` object: plain data, so it can be posted to UDP threads. */
export interface KeyExtensions {
  name?: string;
  rights: KeyRights;
  /** `expire` as written (DD-MM-YYYY) and the start of that day in local time, ms since the epoch. */
  expire?: { text: string; at: number };
  /** Flags never returned to this key's clients (§6.2; kept, not enforced yet). */
  forbiddenIds?: number[];
  ratelimit?: KeyRateLimitText;
}

/** One `keypair` of the config file or of the dynamic keys map: rspamd's fields plus its extensions. */
export interface KeyConfig extends KeypairConfig {
  extensions?: KeyExtensions;
}

/** `admin`: made over the admin API and kept in the admin keys file (admin-key-file.ts). */
export type KeySource = 'static' | 'dynamic' | 'admin';

export interface ServerKey extends ServerKeypair {
  /** `extensions.name`, for logs; null when the key has none. */
  name: string | null;
  rights: Readonly<KeyRights>;
  /** Start of the `expire` day, ms since the epoch; null when the key never expires. */
  expireAt: number | null;
  source: KeySource;
  forbiddenIds: readonly number[] | null;
  ratelimit: KeyRateLimitText | null;
  /** Disabled over the admin API (by id, whatever the source): its CHECKs and updates are refused. */
  disabled: boolean;
}

/** Throws KeyFormatError when privkey and pubkey are not a keypair (the caller names the key). */
export function loadServerKey(cfg: KeyConfig, source: KeySource): ServerKey {
  const ext = cfg.extensions;
  return {
    ...loadServerKeypair(cfg),
    name: ext?.name ?? null,
    rights: Object.freeze({ ...(ext?.rights ?? DEFAULT_KEY_RIGHTS) }),
    expireAt: ext?.expire?.at ?? null,
    source,
    forbiddenIds: ext?.forbiddenIds ?? null,
    ratelimit: ext?.ratelimit ?? null,
    disabled: false,
  };
}

/**
 * Why a CHECK encrypted to this key is refused, or null (§0 step H, rspamd ≥ 3.10 / 3.11.1): an expired key, or a key
 * without READ. `now` is read for every request: rspamd compares with a date cached per event-loop turn, fuzzyd is
 * stricter and refuses from the first millisecond after the key's expiry. fuzzyd's own gate first: a disabled key is
 * refused as an expired one is (access-controls.md §2.3), so every client generation shows what it shows for expiry.
 */
export type CheckRefusal = 'disabled' | 'expired' | 'no-read';

export function checkRefusal(key: ServerKey, now: number): CheckRefusal | null {
  if (key.disabled) return 'disabled';
  if (key.expireAt !== null && key.expireAt < now) return 'expired';
  if (!key.rights.read) return 'no-read';
  return null;
}

/** How a key is named in logs: its name, else the start of its public key. Never anything secret. */
export function keyLabel(key: Pick<ServerKey, 'name' | 'pubkey'>): string {
  return key.name ?? `${key.pubkey.slice(0, 12)}…`;
}
