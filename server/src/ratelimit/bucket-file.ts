import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUCKET_FLOATS, CREATED, LAST, LEVEL } from './leaky-bucket.js';
import type { RateLimits } from './rate-limits.js';
import { SourceNetworks } from './source-network.js';

/**
 * The network buckets across a clean restart, next to the database, as rspamd ≥ 3.6 keeps them in
 * `${DBDIR}/fuzzy_ratelimits.ucl` (docs/spec/access-controls.md §4.4). fuzzyd's file is its own JSON, and keeps
 * what rspamd's loses: a ban is written as `"level": null` (rspamd prints NaN, which does not reload) and each
 * bucket's creation time, so a ban still ends `ratelimit_bucket_ttl` after its bucket began. Buckets past their TTL,
 * or of another mask than the one configured now, are not loaded. Per-key buckets are not saved (rspamd neither).
 */
export interface SavedBucket {
  network: string;
  /** null: banned. */
  level: number | null;
  last: number;
  created: number;
}

export function bucketFilePath(dbPath: string): string {
  return join(dirname(dbPath), 'fuzzyd_ratelimits.json');
}

/** Writes the live buckets (a new file, then a rename: a crash mid-write leaves the old file). Returns how many. */
export function saveBuckets(limits: RateLimits, path: string, now: number): number {
  const table = limits.networkBuckets;
  if (!table || !existsSync(dirname(path))) return 0;
  const saved: SavedBucket[] = table.snapshot(now, limits.settings.bucketTtlSeconds).map(({ key, floats }) => ({
    network: SourceNetworks.describe(key),
    level: Number.isNaN(floats[LEVEL]) ? null : floats[LEVEL],
    last: floats[LAST],
    created: floats[CREATED],
  }));
  writeFileSync(`${path}.new`, JSON.stringify(saved));
  renameSync(`${path}.new`, path);
  return saved.length;
}

/** Loads what `saveBuckets` wrote, if anything; returns how many buckets came back. A bad file throws. */
export function loadBuckets(limits: RateLimits, path: string, now: number): number {
  const table = limits.networkBuckets;
  if (!table || !existsSync(path)) return 0;
  const saved = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(saved)) throw new Error(`${path}: not a list of buckets`);
  const { networkMask, bucketTtlSeconds } = limits.settings;
  let loaded = 0;
  for (const entry of saved as SavedBucket[]) {
    const key = SourceNetworks.keyOfNetwork(String(entry?.network), networkMask);
    if (!key) continue;
    if (typeof entry.created !== 'number' || typeof entry.last !== 'number' || now - entry.created > bucketTtlSeconds) continue;
    const floats = new Float64Array(BUCKET_FLOATS);
    floats[LEVEL] = entry.level === null ? NaN : Number(entry.level);
    floats[LAST] = entry.last;
    floats[CREATED] = entry.created;
    table.restore(key, floats);
    loaded++;
  }
  return loaded;
}
