/**
 * The admin REST API's payloads (`/api/v1`), shared by the server's DTOs (which `implements` them), the dashboard and
 * the tests. Plain interfaces only: nothing here may pull server code into the dashboard bundle.
 */

export type TokenScope = 'read' | 'write' | 'admin';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];

/** One (flag, value) slot of a hash, as sent in `PATCH /hashes/{digest}` and in import and export lines. */
export interface HashFlagValue {
  /** 0..255. */
  flag: number;
  /** Signed 32-bit. */
  value: number;
}

/** One slot of a listed hash, with the flag's name. */
export interface HashFlag extends HashFlagValue {
  /** The name given to the flag with `PUT /flags/{flag}`, or null. */
  flagName: string | null;
}

/**
 * One stored hash as listed by `GET /hashes`. A hash holds 1 to 8 (flag, value) slots (rspamd ≥ 4.0); `flag`,
 * `flagName` and `value` are the primary slot, the one rspamd's tables hold and rspamd 3.x clients see, and also
 * `flags[0]`.
 */
export interface HashItem {
  /** 128 lowercase hex characters (the 64-byte digest). */
  digest: string;
  flag: number;
  /** The name given to the flag with `PUT /flags/{flag}`, or null. */
  flagName: string | null;
  value: number;
  /** Every slot, primary first. */
  flags: HashFlag[];
  /** Unix seconds of the last WRITE. */
  time: number;
  /** How many shingle rows the hash owns (32 for a hash written with shingles, else 0). */
  shingles: number;
}

export interface HashPage {
  items: HashItem[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * `GET /hashes/{digest}`: the item plus its shingles as decimal u64 strings, in position order (32 of them, or none
 * for a hash written without shingles). A position is null when a later hash with the same shingle value at that
 * position took it over (rspamd keeps one owner per value and position).
 */
export interface HashDetail extends Omit<HashItem, 'shingles'> {
  shingles: (string | null)[];
}

/** `POST /hashes` body: a WRITE of one (flag, value), by rspamd 4.x's rule (another flag takes a slot of its own). */
export interface HashCreate {
  digest: string;
  flag: number;
  value: number;
  /** Exactly 32 u64 values as decimal strings (numbers are accepted when they are safe integers). */
  shingles?: string[];
}

/**
 * One line of a JSON Lines import, and of an export (which adds `time`, ignored on import). A line gives either
 * `flag` and `value`, or `flags` (every slot, primary first), or both when `flag`/`value` equal `flags[0]`.
 */
export interface HashImportLine {
  digest: string;
  flag?: number;
  value?: number;
  flags?: HashFlagValue[];
  shingles?: string[];
  time?: number;
}

/**
 * `PATCH /hashes/{digest}`: `flags` replaces every slot (first = primary); or `flag` and/or `value` change the
 * primary slot. `flags` together with `flag` or `value` is refused.
 */
export interface HashPatch {
  flag?: number;
  value?: number;
  flags?: HashFlagValue[];
}

/**
 * What a WRITE did: `added` a new hash, `updated` (a flag it holds: weight added) or `reflagged` (a flag it did not
 * hold: a slot added, or a full hash's lowest slot replaced).
 */
export type WriteStatus = 'added' | 'updated' | 'reflagged';

export interface HashWriteResult {
  status: WriteStatus;
  hash: HashItem;
}

export interface ImportReject {
  /** 1-based line number in the uploaded file. */
  line: number;
  error: string;
}

export interface ImportResult {
  added: number;
  /** Hashes that existed (weight added, or re-flagged). */
  updated: number;
  rejected: number;
  /** The first rejects (the list is capped; `rejected` counts them all). */
  rejects: ImportReject[];
  /** Lines read, blank lines excluded. */
  lines: number;
}

export interface FlagInfo {
  flag: number;
  name: string | null;
  description: string | null;
  /** Hashes stored with this flag. */
  count: number;
}

export interface FlagUpdate {
  name: string;
  description?: string | null;
}

export type NetworkListName = 'allow-update' | 'blocked';

export interface NetworkItem {
  /** A number for entries added over the API; `config-N` for entries from the configuration (read-only). */
  id: string;
  cidr: string;
  comment: string | null;
  source: 'config' | 'api';
  readOnly: boolean;
  /** Unix seconds; null for configuration entries. */
  createdAt: number | null;
}

export interface NetworkCreate {
  cidr: string;
  comment?: string | null;
}

export interface RequestCount {
  command: string;
  result: string;
  count: number;
}

/** One minute of UDP traffic. Minutes without traffic are left out of `history`. */
export interface StatsMinute {
  /** Start of the minute, unix milliseconds. */
  at: number;
  /** Requests per command name. */
  requests: Record<string, number>;
  hits: number;
  invalid: number;
  denied: number;
}

export interface StatsResponse {
  /** Unix milliseconds. */
  startedAt: number;
  uptimeSeconds: number;
  hashes: {
    total: number;
    byFlag: { flag: number; name: string | null; count: number }[];
  };
  /** UDP requests since start, per command and result. */
  requests: RequestCount[];
  /** Datagrams that could not be decoded. */
  invalid: number;
  /** Datagrams from blocked networks (dropped unanswered). */
  blocked: number;
  /** Writes refused (source not in allow-update, or read-only mode). */
  denied: number;
  /** Retransmitted requests answered from the retransmit cache. */
  duplicates: number;
  /** Per-minute buckets, oldest first, covering [historyFrom, historyTo). */
  history: StatsMinute[];
  historyFrom: number;
  historyTo: number;
}

export interface TokenItem {
  id: number;
  name: string;
  scope: TokenScope;
  /** The first characters of the token, to tell tokens apart. */
  hint: string;
  /** `env` (FUZZYD_ADMIN_TOKEN), `generated` (first start) or `api`. */
  origin: 'env' | 'generated' | 'api';
  createdAt: number;
  lastUsedAt: number | null;
}

export interface TokenCreate {
  name: string;
  scope: TokenScope;
}

/** Returned once by `POST /tokens`: the only time the secret is shown. */
export interface TokenCreated extends TokenItem {
  token: string;
}

/** RFC 9457 problem details, the body of every error (`application/problem+json`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** The request field that failed validation, when one did. */
  field?: string;
}

export interface HealthResponse {
  status: 'ok' | 'degraded';
  checks: Record<string, { ok: boolean; detail?: string }>;
}
