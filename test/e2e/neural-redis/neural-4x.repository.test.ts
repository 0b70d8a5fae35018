import { Redis } from 'ioredis';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NeuralConfig } from '../../../server/src/neural/neural-config.js';
import type { NeuralRedisRepository } from '../../../server/src/neural/redis/neural-redis.repository.js';
import { buildProfile, serializeProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { privateRedis } from '../../helpers/private-redis.js';
import { neuralRepositories } from './repository-fixture.js';

/** The 4.x layout (docs/spec/neural-4x.md §1–§2) on a real Redis, next to 3.4's. */

const SYMBOLS = ['SPAM_SYMBOL1', 'HAM_SYMBOL1', 'SPAM_SYMBOL2'];
const NOW = 1_700_000_000;

const redis = privateRedis();
const repositories = neuralRepositories(redis, 'q', (prefix) => ({ prefix, rules: { default: {}, my_rule: { settings: ['default', 'out_3_bound'] } } }));
let prefix: string;
let config: NeuralConfig;
let repo: NeuralRedisRepository;

beforeEach(() => {
  ({ prefix, config, repo } = repositories.fresh());
});

const target = (rulePrefix = 'default', settings = 'default') => ({ prefix, rulePrefix, settings });

describe('discoverSets with both generations', () => {
  it('auto: a pair with an rn3_ zset is 4.x (its rn2_ data a not-selected leftover), one without stays 3.4', async () => {
    await redis.raw.zadd(`${prefix}2_default_1_default`, 1, 'x'); // 3.4 leftovers
    await redis.raw.zadd(`${prefix}3_default_3_default`, 2, 'y'); // what 4.x writes now
    await redis.raw.zadd(`${prefix}3_other_3_default`, 3, 'z'); // a 4.x rule we do not configure
    await redis.raw.zadd(`${prefix}3_my_rule_3_out_3_bound`, 3, 'z'); // settings name containing the separator

    const sets = await repo.discoverSets('auto');
    const view = sets.map((s) => [s.zsetKey.slice(prefix.length), s.rule, s.settings, s.generation, s.configured, s.exists, s.selected]);
    expect(view).toEqual([
      ['2_default_1_default', 'default', 'default', '3.4', true, true, false],
      ['2_my_rule_1_default', 'my_rule', 'default', '3.4', true, false, true],
      ['3_default_3_default', 'default', 'default', '4.x', true, true, true],
      ['3_my_rule_3_out_3_bound', 'my_rule', 'out_3_bound', '4.x', true, true, true],
      ['3_other_3_default', 'other', 'default', '4.x', false, true, true],
    ]);
    expect(await repo.resolveGeneration('default', 'default', 'auto')).toBe('4.x');
    expect(await repo.resolveGeneration('my_rule', 'default', 'auto')).toBe('3.4');
  });

  it('a fixed layout selects that generation everywhere, listing the other only where it exists', async () => {
    await redis.raw.zadd(`${prefix}2_default_1_default`, 1, 'x');
    const sets = await repo.discoverSets('4.x');
    const view = sets.map((s) => [s.zsetKey.slice(prefix.length), s.generation, s.exists, s.selected]);
    expect(view).toEqual([
      ['2_default_1_default', '3.4', true, false],
      ['3_default_3_default', '4.x', false, true],
      ['3_my_rule_3_default', '4.x', false, true],
      ['3_my_rule_3_out_3_bound', '4.x', false, true],
    ]);
    expect(await repo.resolveGeneration('default', 'default', '3.4')).toBe('3.4');
  });
});

describe('4.x profiles', () => {
  it('accepts providers_digest (3.4 rejects it), writes it last, and makes the highest version current', async () => {
    const zset = repo.zsetKey('default', 'default', '4.x');
    expect(zset).toBe(`${prefix}3_default_3_default`);
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, (NOW - 10) * 1000, '4.x');
    const v2 = buildProfile(target(), SYMBOLS, 2);
    const v1 = buildProfile(target(), SYMBOLS, 1);
    // A scanner that (re)loaded v1 re-scored it after v2 was saved: still v2 is where 4.x sends vectors.
    await redis.raw.zadd(zset, NOW, serializeProfile(v2), NOW + 5, serializeProfile(v1));
    const withProviders = serializeProfile({ ...buildProfile(target(), ['X'], 0), providers_digest: '0123456789abcdef' });
    expect(withProviders).toMatch(/"redis_key":"[^"]+","providers_digest":"0123456789abcdef"}$/);
    await redis.raw.zadd(zset, NOW - 20, withProviders);
    await redis.raw.hset(v0.profile.redis_key, 'obsolete', '1');
    await redis.raw.hset(v2.redis_key, 'ann', 'a', 'norm_stats', '{"mode":"unit"}');

    const listing = await repo.listProfiles('default', 'default', NOW, '4.x');
    expect(listing.generation).toBe('4.x');
    expect(listing.invalid).toEqual([]);
    expect(listing.profiles.map((p) => [p.version, p.current, p.key.obsolete, p.key.hasNormStats])).toEqual([
      [1, false, false, false],
      [2, true, false, true],
      [0, false, true, false],
      [0, false, false, false],
    ]);
    expect(listing.profiles[3].profile.providers_digest).toBe('0123456789abcdef');

    await redis.raw.zadd(repo.zsetKey('default', 'default'), 1, withProviders);
    const old = await repo.listProfiles('default', 'default', NOW, '3.4');
    expect(old.invalid.map((m) => m.reason)).toEqual([expect.stringContaining('providers_digest')]);
  });

  it('next version: 1 + max(trained-from key suffix, stored versions of the digest)', async () => {
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, NOW * 1000, '4.x');
    const zset = v0.zsetKey;
    const d = v0.profile.digest;
    expect(await repo.nextVersion(zset, d, v0.profile.redis_key, '4.x')).toBe(1);
    // The training target's key says _7 while the zset only remembers v0 (a pruned member, neural-4x.md §2.3).
    expect(await repo.nextVersion(zset, d, `${prefix}_default_default_${d.slice(0, 8)}_7`, '4.x')).toBe(8);
  });
});

describe('4.x vectors and publish', () => {
  it('counts the pending sets; the size script answers obsolete for a key a newer version came from', async () => {
    const [pendingSpam, pendingHam] = repo.pendingKeys('default', 'default');
    expect(pendingSpam).toBe(`${prefix}_default_default_pending_spam_set`);
    await redis.raw.sadd(pendingSpam, 'a', 'b');
    await redis.raw.sadd(pendingHam, 'c');
    expect(await repo.pendingCounts('default', 'default')).toEqual({ spam: 2, ham: 1 });
    expect(await repo.readPendingVectors('default', 'default')).toEqual({
      spam: expect.arrayContaining([Buffer.from('a'), Buffer.from('b')]),
      ham: [Buffer.from('c')],
    });

    const key = `${prefix}_default_default_abcdefgh_0`;
    await redis.raw.sadd(`${key}_spam_set`, 'x');
    expect(await repo.vectorsLen(key, 'set', '4.x')).toEqual({ locked: false, spam: 1, ham: 0 });
    await redis.raw.hset(key, 'lock', String(NOW), 'hostname', 'h');
    expect(await repo.vectorsLen(key, 'set', '4.x')).toEqual({ locked: true, holder: `h:${NOW}` });
    await redis.raw.hset(key, 'obsolete', '1');
    expect(await repo.vectorsLen(key, 'set', '4.x')).toEqual({ locked: true, holder: 'obsolete' });
    // 3.4's script knows no obsolete marker.
    expect(await repo.vectorsLen(key, 'set', '3.4')).toEqual({ locked: true, holder: `h:${NOW}` });
  });

  it("publishes with 4.1.1's steps: member, fields, unlock, obsolete + 600 s on the old key and sets, zset TTL, pending gone", async () => {
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, NOW * 1000, '4.x');
    const old = v0.profile.redis_key;
    expect(await repo.tryLock(old, { now: NOW, hostname: 'fuzzyd@test' })).toEqual({ acquired: true });
    await redis.raw.sadd(`${old}_spam_set`, 's1', 's2');
    await redis.raw.sadd(`${old}_ham_set`, 'h1');
    const pending = repo.pendingKeys('default', 'default');
    await redis.raw.sadd(pending[0], 'p1');
    const v1 = buildProfile(target(), SYMBOLS, 1);
    await repo.saveAndUnlock({
      generation: '4.x', zsetKey: v0.zsetKey, oldKey: old, profile: { ...v1, distance: 0 }, ann: Buffer.from([0, 1, 2]),
      annExpire: 3600, now: NOW + 1, pendingKeys: pending,
    });

    const member = await redis.raw.zrangebyscore(v0.zsetKey, NOW + 1, NOW + 1);
    expect(member).toEqual([`{"digest":"${v1.digest}","symbols":${JSON.stringify(v1.symbols)},"version":1,"redis_key":"${v1.redis_key}"}`]);
    expect(await redis.raw.hgetallBuffer(v1.redis_key)).toEqual({ ann: Buffer.from([0, 1, 2]), roc_thresholds: Buffer.from('[]') });
    expect(await redis.raw.hgetall(old)).toEqual({ hostname: 'fuzzyd@test', obsolete: '1' });
    for (const k of [old, `${old}_spam_set`, `${old}_ham_set`]) {
      expect(await redis.raw.ttl(k), k).toBeGreaterThan(590);
      expect(await redis.raw.ttl(k), k).toBeLessThanOrEqual(600);
    }
    // 4.x keeps the trained-from rows until they expire, unlike fuzzyd's 3.4 publish.
    expect(await redis.raw.scard(`${old}_spam_set`)).toBe(2);
    expect(await redis.raw.ttl(v1.redis_key)).toBeGreaterThan(3500);
    expect(await redis.raw.ttl(v0.zsetKey)).toBeGreaterThan(3500);
    expect(await redis.raw.exists(...pending)).toBe(0);
  });
});
