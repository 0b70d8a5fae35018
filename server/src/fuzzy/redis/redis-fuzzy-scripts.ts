import { EncodedScript } from '../../common/redis-turn-batch.js';

/**
 * fuzzyd's Lua for rspamd's Redis fuzzy layout (docs/spec/fuzzy-storage.md §3.2, §3.4): a hash `P‖digest` with the
 * primary slot F (flag) and V (value), extra slots F1..F7 / V1..V7 (rspamd ≥ 4.0), C (creation time) and S (the
 * shingle set, rspamd ≥ 4.1.3); string keys `P_i_s` holding the raw digest that owns shingle slot i; `P_count`.
 *
 * The flags a WRITE leaves are decided in TypeScript by update-rule.ts, the rule every backend shares; Redis only
 * compares and sets. The backend reads the slot fields, computes the new list and sends both: the script applies it
 * only if the fields are still exactly as read, and otherwise answers 'retry', so a concurrent writer (another fuzzyd,
 * an rspamd worker) is never overwritten. The script is atomic without knowing the rule, so no part of it (adding,
 * re-flagging, slot choice, clamping) is restated in Lua; test/contract runs the same rule tests against this backend
 * and the SQLite one.
 *
 * Where fuzzyd differs from rspamd's workers, on purpose and without changing the layout:
 * - `P_count` moves only when a hash is really added or deleted (rspamd increments it on every add), so STAT does not
 *   drift;
 * - a 3.x client's re-flag resets the value (update-rule.ts); rspamd 3.4's Redis kept adding.
 */
export const SLOT_FIELDS = ['F', 'V', 'F1', 'V1', 'F2', 'V2', 'F3', 'V3', 'F4', 'V4', 'F5', 'V5', 'F6', 'V6', 'F7', 'V7'];

/**
 * KEYS: digest key, count key, then 32 slot keys when a new hash brings shingles.
 * ARGV: the slot fields as read, joined by '|' ('' when absent); the new slot fields, flat (F, V, F1, V1, ...);
 * creation time; expire seconds; the raw digest; the S field value (or ''); '1' when the hash is new.
 */
const COMPARE_AND_SET = `
local key = KEYS[1]
local fields = {${SLOT_FIELDS.map((f) => `'${f}'`).join(', ')}}
local seen = redis.call('HMGET', key, unpack(fields))
local parts = {}
for i = 1, #fields do parts[i] = seen[i] or '' end
if table.concat(parts, '|') ~= ARGV[1] then return 'retry' end
local new = cjson.decode(ARGV[2])
local set = {}
for i = 1, #new do
  set[#set + 1] = fields[i]
  set[#set + 1] = new[i]
end
redis.call('HSET', key, unpack(set))
local gone = {}
for i = #new + 1, #fields do
  if seen[i] then gone[#gone + 1] = fields[i] end
end
if #gone > 0 then redis.call('HDEL', key, unpack(gone)) end
redis.call('HSETNX', key, 'C', ARGV[3])
redis.call('EXPIRE', key, ARGV[4])
if ARGV[7] == '1' then redis.call('INCR', KEYS[2]) end
if #KEYS > 2 then
  redis.call('HSET', key, 'S', ARGV[6])
  for i = 3, #KEYS do redis.call('SETEX', KEYS[i], ARGV[4], ARGV[5]) end
end
return redis.call('HGET', key, 'C')
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

/** The compare-and-set (KEYS and ARGV above); replies the creation time, or 'retry'. */
export const compareAndSet = new EncodedScript(COMPARE_AND_SET);
/** The delete (KEYS and ARGV above); replies F, V, C as they were, or null when the digest was not stored. */
export const deleteDigest = new EncodedScript(DELETE);
