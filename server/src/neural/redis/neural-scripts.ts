import type { Redis } from 'ioredis';

/**
 * Our own Lua for the scripts of rspamd's neural plugin, with the same effect and the same calling convention: 3.4's
 * (spec/neural.md §6) take every argument as a KEY; 4.x's size and save scripts (spec/neural-4x.md §2.1) are
 * separate commands below. ioredis' `defineCommand` runs them with EVALSHA and falls back to EVAL (which loads the
 * script) on NOSCRIPT, like rspamd's SCRIPT LOAD + reload.
 */

/** A lock (however old) blocks vector writes and is reported as "host:lock"; otherwise the two classes' sizes. */
function vectorsLenLua(count: 'SCARD' | 'LLEN', spamKey: string, hamKey: string): string {
  return `
local lock = redis.call('HGET', KEYS[1], 'lock')
if lock then
  local host = redis.call('HGET', KEYS[1], 'hostname') or 'unknown'
  return host .. ':' .. lock
end
return { redis.call('${count}', KEYS[1] .. '${spamKey}'), redis.call('${count}', KEYS[1] .. '${hamKey}') }
`;
}

/** §6.1: the SETs of rspamd 3.4's plugin. */
export const VECTORS_LEN_LUA = vectorsLenLua('SCARD', '_spam_set', '_ham_set');

/**
 * neural-4x.md §2.1 (`neural_train_size`, 4.0.0+): a key a newer version was saved from answers `obsolete` and takes
 * no vectors; then the lock rule and the SET counts of 3.4.
 */
export const VECTORS_LEN_4X_LUA = `
if redis.call('HEXISTS', KEYS[1], 'obsolete') == 1 then
  return 'obsolete'
end
${vectorsLenLua('SCARD', '_spam_set', '_ham_set').trim()}
`;

/** §14: the 2020 plugin counted LISTs `<key>_spam` / `<key>_ham` with LLEN; same lock rule. */
export const VECTORS_LEN_LIST_LUA = vectorsLenLua('LLEN', '_spam', '_ham');

/**
 * §6.2: keep the newest `limit` profiles. Unlike 3.4 we also delete the 2020 LIST keys of a dropped profile, so data
 * left by an older plugin does not linger forever. Members that are not objects with a string `redis_key` are removed
 * from the zset without deleting anything else, as 3.4 does.
 * With ARGV[1] (4.1.1+, neural-4x.md §1.5): a cutoff time; every remaining member scored below it whose hash has no
 * `ann` and whose two sets are gone (a tombstone) is removed from the zset and returned too.
 */
export const MAYBE_INVALIDATE_LUA = `
local card = redis.call('ZCARD', KEYS[1])
local limit = tonumber(KEYS[2])
local removed = {}
if card > limit then
  local drop = card - limit
  removed = redis.call('ZRANGE', KEYS[1], 0, drop - 1)
  for _, member in ipairs(removed) do
    local ok, profile = pcall(cjson.decode, member)
    if ok and type(profile) == 'table' and type(profile.redis_key) == 'string' then
      local k = profile.redis_key
      redis.call('DEL', k, k .. '_spam_set', k .. '_ham_set', k .. '_spam', k .. '_ham')
    end
  end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, drop - 1)
end
local cutoff = tonumber(ARGV[1])
if cutoff then
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])) do
    local ok, profile = pcall(cjson.decode, member)
    if ok and type(profile) == 'table' and type(profile.redis_key) == 'string' then
      local k = profile.redis_key
      if redis.call('HEXISTS', k, 'ann') == 0 and redis.call('EXISTS', k .. '_spam_set', k .. '_ham_set') == 0 then
        redis.call('ZREM', KEYS[1], member)
        removed[#removed + 1] = member
      end
    end
  end
end
return removed
`;

/**
 * §6.3 / §8: the lock is held only while 0 < now - lock < expire. A lock equal to now (same second), in the future,
 * stale, or unparsable is taken over. Returns 1 when taken, else { lock, hostname }.
 */
export const MAYBE_LOCK_LUA = `
local raw = redis.call('HGET', KEYS[1], 'lock')
local now = tonumber(KEYS[2])
local expire = tonumber(KEYS[3])
if raw then
  local held = tonumber(raw)
  if held and now > held and (now - held) < expire then
    return { raw, redis.call('HGET', KEYS[1], 'hostname') or 'unknown' }
  end
end
redis.call('HSET', KEYS[1], 'lock', KEYS[2], 'hostname', KEYS[4])
return 1
`;

/**
 * §6.4, 3.4 form: KEYS = new key, zset, ann blob, profile JSON, ann_expire, now, old key, ROC JSON, [PCA blob].
 * Step 3 deliberately deletes the NEW key's (normally empty) sets, as rspamd does; the caller removes the
 * trained-from sets itself (§9.3, §15 step 5).
 */
export const SAVE_UNLOCK_LUA = `
redis.call('ZADD', KEYS[2], KEYS[6], KEYS[4])
redis.call('HSET', KEYS[1], 'ann', KEYS[3])
redis.call('DEL', KEYS[1] .. '_spam_set')
redis.call('DEL', KEYS[1] .. '_ham_set')
redis.call('HDEL', KEYS[1], 'lock')
redis.call('HDEL', KEYS[7], 'lock')
redis.call('EXPIRE', KEYS[1], tonumber(KEYS[5]))
redis.call('HSET', KEYS[1], 'roc_thresholds', KEYS[8])
if KEYS[9] then
  redis.call('HSET', KEYS[1], 'pca', KEYS[9])
end
return 1
`;

/**
 * neural-4x.md §2.1, 4.1.1+ form of `neural_save_unlock`. KEYS = new key, zset, trained-from key; ARGV = ann blob,
 * profile JSON, ann_expire, now, ROC JSON, PCA blob or '', providers_meta or '', norm_stats or ''. The trained-from
 * key is marked `obsolete` (scanners stop adding to it) and, with its sets, expires after 600 s; the zset gets
 * ann_expire as its TTL. Nothing is deleted: rspamd 4.x lets the old data expire.
 */
export const SAVE_UNLOCK_4X_LUA = `
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[2])
redis.call('HSET', KEYS[1], 'ann', ARGV[1])
redis.call('HSET', KEYS[1], 'roc_thresholds', ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'pca', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'providers_meta', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'norm_stats', ARGV[8]) end
redis.call('HDEL', KEYS[1], 'lock')
redis.call('HDEL', KEYS[3], 'lock')
redis.call('HSET', KEYS[3], 'obsolete', '1')
redis.call('EXPIRE', KEYS[3], 600)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
redis.call('EXPIRE', KEYS[3] .. '_spam_set', 600)
redis.call('EXPIRE', KEYS[3] .. '_ham_set', 600)
return 1
`;

/**
 * Lock upkeep during a long training (§6.5, §15 step 1). Both variants only touch an existing lock: a plain HSET or
 * HINCRBY after the lock was released (save, forced unlock) would recreate it and block vector writes for good (§8).
 * KEYS: ann key, value (new lock time for `refresh`, increment for `extend`), expected hostname or '' for any.
 */
export const REFRESH_LOCK_LUA = `
if not redis.call('HGET', KEYS[1], 'lock') then return 0 end
if KEYS[3] ~= '' and redis.call('HGET', KEYS[1], 'hostname') ~= KEYS[3] then return 0 end
redis.call('HSET', KEYS[1], 'lock', KEYS[2])
return 1
`;

export const EXTEND_LOCK_LUA = `
if not redis.call('HGET', KEYS[1], 'lock') then return 0 end
if KEYS[3] ~= '' and redis.call('HGET', KEYS[1], 'hostname') ~= KEYS[3] then return 0 end
return redis.call('HINCRBY', KEYS[1], 'lock', KEYS[2])
`;

type Arg = string | Buffer | number;

/** The commands `registerNeuralScripts` adds to an ioredis client. */
export interface NeuralScriptCommands {
  neuralVectorsLen(annKey: string): Promise<string | [number, number]>;
  neuralVectorsLenList(annKey: string): Promise<string | [number, number]>;
  neuralVectorsLen4x(annKey: string): Promise<string | [number, number]>;
  neuralMaybeInvalidate(zsetKey: string, limit: Arg, ...cutoff: [] | [Arg]): Promise<string[]>;
  neuralMaybeLock(annKey: string, now: Arg, expire: Arg, hostname: string): Promise<1 | [string, string]>;
  neuralSaveUnlock8(...keys: [string, string, Buffer, string, Arg, Arg, string, string]): Promise<number>;
  neuralSaveUnlock9(...keys: [string, string, Buffer, string, Arg, Arg, string, string, Buffer]): Promise<number>;
  neuralSaveUnlock4x(
    ...args: [newKey: string, zset: string, oldKey: string, ann: Buffer, profile: string, expire: Arg, now: Arg, roc: string, pca: Buffer | '', providersMeta: string, normStats: string]
  ): Promise<number>;
  neuralRefreshLock(annKey: string, lock: Arg, hostname: string): Promise<number>;
  neuralExtendLock(annKey: string, by: Arg, hostname: string): Promise<number>;
}

export type NeuralRedisClient = Redis & NeuralScriptCommands;

const DEFINITIONS: ReadonlyArray<[keyof NeuralScriptCommands, number, string]> = [
  ['neuralVectorsLen', 1, VECTORS_LEN_LUA],
  ['neuralVectorsLenList', 1, VECTORS_LEN_LIST_LUA],
  ['neuralVectorsLen4x', 1, VECTORS_LEN_4X_LUA],
  ['neuralMaybeInvalidate', 2, MAYBE_INVALIDATE_LUA],
  ['neuralMaybeLock', 4, MAYBE_LOCK_LUA],
  // §14: 8 KEYS without PCA, 9 with it; ioredis needs a fixed key count per command, hence two names.
  ['neuralSaveUnlock8', 8, SAVE_UNLOCK_LUA],
  ['neuralSaveUnlock9', 9, SAVE_UNLOCK_LUA],
  ['neuralSaveUnlock4x', 3, SAVE_UNLOCK_4X_LUA],
  ['neuralRefreshLock', 3, REFRESH_LOCK_LUA],
  ['neuralExtendLock', 3, EXTEND_LOCK_LUA],
];

/** Idempotent: a client that already has the commands is returned as is. */
export function registerNeuralScripts(client: Redis): NeuralRedisClient {
  const target = client as NeuralRedisClient;
  for (const [name, numberOfKeys, lua] of DEFINITIONS) {
    if (typeof (target as unknown as Record<string, unknown>)[name] !== 'function') {
      client.defineCommand(name, { numberOfKeys, lua });
    }
  }
  return target;
}
