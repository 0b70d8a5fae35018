import type { Redis } from 'ioredis';

/**
 * Our own Lua for rspamd 3.4's Redis fuzzy layout (spec/fuzzy-storage.md §3.2): a hash `P‖digest` with F (flag),
 * V (weight), C (creation time); string keys `P_i_s` holding the raw digest owning shingle slot i; `P_count`.
 * Each update runs as one script, so concurrent fuzzyd instances sharing the Redis never interleave inside an update.
 *
 * Where fuzzyd differs from rspamd's worker, on purpose and without changing the layout:
 * - a re-flag resets V to the new weight (rspamd's Redis keeps adding), the same rule as the SQLite backend;
 * - `P_count` moves only when a hash is really added or deleted, so STAT does not drift;
 * - the digest hash also keeps its shingles in field S, so a DEL by digest removes the slots it still owns (rspamd
 *   3.4 leaves them behind; rspamd 3.4 reads only V, F and C, so the extra field is invisible to it).
 */
const WRITE = `
local key = KEYS[1]
local flag = ARGV[1]
local old = redis.call('HGET', key, 'F')
local status = 'added'
if old then
  if old == flag then status = 'updated' else status = 'reflagged' end
end
if status == 'reflagged' then
  redis.call('HSET', key, 'V', ARGV[2])
else
  redis.call('HINCRBY', key, 'V', ARGV[2])
end
redis.call('HSET', key, 'F', flag)
redis.call('HSETNX', key, 'C', ARGV[3])
redis.call('EXPIRE', key, ARGV[4])
if status == 'added' then redis.call('INCR', KEYS[2]) end
if #KEYS > 2 then
  redis.call('HSET', key, 'S', ARGV[6])
  for i = 3, #KEYS do redis.call('SETEX', KEYS[i], ARGV[4], ARGV[5]) end
end
return {status, redis.call('HGET', key, 'V'), redis.call('HGET', key, 'C')}
`;

/** KEYS: digest key, count key, then the slot keys named by its S field; ARGV: raw digest. */
const DELETE = `
local fields = redis.call('HMGET', KEYS[1], 'F', 'V', 'C')
if not fields[1] then return false end
redis.call('DEL', KEYS[1])
redis.call('DECR', KEYS[2])
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return fields
`;

/** Absolute edit by the admin API. ARGV: flag or '', value or ''. */
const SET = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local old = redis.call('HGET', KEYS[1], 'F')
if ARGV[1] ~= '' then redis.call('HSET', KEYS[1], 'F', ARGV[1]) end
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'V', ARGV[2]) end
local f = redis.call('HMGET', KEYS[1], 'F', 'V', 'C')
return {old, f[1], f[2], f[3]}
`;

export interface FuzzyRedisClient extends Redis {
  fuzzyWrite(numKeys: number, ...args: (string | Buffer | number)[]): Promise<[string, string, string]>;
  fuzzyDelete(numKeys: number, ...args: (string | Buffer)[]): Promise<[string, string, string] | null>;
  fuzzySet(key: Buffer, flag: string, value: string): Promise<[string, string, string, string] | null>;
}

export function registerFuzzyScripts(client: Redis): FuzzyRedisClient {
  client.defineCommand('fuzzyWrite', { lua: WRITE });
  client.defineCommand('fuzzyDelete', { lua: DELETE });
  client.defineCommand('fuzzySet', { numberOfKeys: 1, lua: SET });
  return client as FuzzyRedisClient;
}
