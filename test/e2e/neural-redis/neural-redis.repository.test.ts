import { compress, decompress } from '@mongodb-js/zstd';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NeuralConfig } from '../../../server/src/neural/neural-config.js';
import type { NeuralRedisRepository } from '../../../server/src/neural/redis/neural-redis.repository.js';
import { buildProfile, serializeProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { privateRedis } from '../../helpers/private-redis.js';
import { neuralRepositories } from './repository-fixture.js';

const SYMBOLS = ['SPAM_SYMBOL1', 'HAM_SYMBOL1', 'SPAM_SYMBOL2'];
const NOW = 1_700_000_000;

const redis = privateRedis();
const repositories = neuralRepositories(redis, 'r', (prefix) => ({
  prefix,
  rules: {
    default: {},
    my_rule: { settings: ['default', 'out_1_bound'], symbols: { out_1_bound: SYMBOLS }, watch_interval: 30 },
  },
}));
let prefix: string;
let config: NeuralConfig;
let repo: NeuralRedisRepository;

beforeEach(() => {
  ({ prefix, config, repo } = repositories.fresh());
});

/** A vector frame as rspamd stores it (§5.2): `;`-joined numbers in one zstd frame. */
async function frame(values: number[]): Promise<Buffer> {
  return compress(Buffer.from(values.join(';')), 1);
}

async function publishVersion(rule: string, settings: string, version: number, oldKey: string, ann = Buffer.from('ann')) {
  const target = { prefix, rulePrefix: config.rules[rule]?.prefix ?? rule, settings };
  const profile = buildProfile(target, SYMBOLS, version);
  await repo.saveAndUnlock({ zsetKey: repo.zsetKey(rule, settings), oldKey, profile, ann, annExpire: 3600, now: NOW + version });
  return profile;
}

describe('discoverSets', () => {
  it('merges configured rule × settings with zsets found by SCAN, skipping other key types', async () => {
    await redis.raw.zadd(`${prefix}2_my_rule_1_default`, 1, 'x');
    await redis.raw.zadd(`${prefix}2_legacy_rule_1_default`, 1, 'x'); // written by an rspamd rule we do not configure
    await redis.raw.set(`${prefix}2_not_a_zset_1_default`, 'x');
    // Enough unrelated matching keys that SCAN needs several cursor rounds.
    const p = redis.raw.pipeline();
    for (let i = 0; i < 2500; i++) p.set(`${prefix}2_junk${i}`, '1');
    await p.exec();

    const sets = await repo.discoverSets();
    expect(sets).toEqual(
      [
        { rule: 'default', rulePrefix: 'default', settings: 'default', zsetKey: `${prefix}2_default_1_default`, generation: '3.4', configured: true, exists: false, selected: true },
        { rule: 'legacy_rule', rulePrefix: 'legacy_rule', settings: 'default', zsetKey: `${prefix}2_legacy_rule_1_default`, generation: '3.4', configured: false, exists: true, selected: true },
        { rule: 'my_rule', rulePrefix: 'my_rule', settings: 'default', zsetKey: `${prefix}2_my_rule_1_default`, generation: '3.4', configured: true, exists: true, selected: true },
        { rule: 'my_rule', rulePrefix: 'my_rule', settings: 'out_1_bound', zsetKey: `${prefix}2_my_rule_1_out_1_bound`, generation: '3.4', configured: true, exists: false, selected: true },
      ].sort((a, b) => (a.zsetKey < b.zsetKey ? -1 : 1)),
    );
  });
});

describe('profiles', () => {
  it('creates version 0 like a worker; re-adding the equal profile re-scores it instead of duplicating', async () => {
    const first = await repo.createVersionZero('default', 'default', SYMBOLS, NOW * 1000);
    expect(first.zsetKey).toBe(`${prefix}2_default_1_default`);
    expect(first.member).toBe(serializeProfile(first.profile));
    expect(first.profile.redis_key).toMatch(new RegExp(`^${prefix}_default_default_[a-z0-9]{8}_0$`));
    const again = await repo.createVersionZero('default', 'default', [...SYMBOLS].reverse(), (NOW + 10) * 1000 + 250);
    expect(again.member).toBe(first.member);
    expect(await redis.raw.zrange(first.zsetKey, 0, -1, 'WITHSCORES')).toEqual([first.member, String(NOW + 10.25)]);
  });

  it('lists profiles newest first with ANN, PCA, TTL, ROC and lock details, reporting invalid members', async () => {
    const v0 = await repo.createVersionZero('my_rule', 'out_1_bound', SYMBOLS, (NOW - 100) * 1000);
    await redis.raw.hset(v0.profile.redis_key, 'lock', String(NOW - 10), 'hostname', 'trainer');
    const ann = Buffer.alloc(1234, 0xab);
    const v1 = await publishVersion('my_rule', 'out_1_bound', 1, v0.profile.redis_key, ann);
    await redis.raw.zadd(repo.zsetKey('my_rule', 'out_1_bound'), NOW - 50, '{"digest":"x","extra":1}');
    await redis.raw.hset(v1.redis_key, 'pca', 'p');

    const listing = await repo.listProfiles('my_rule', 'out_1_bound', NOW + 5);
    expect(listing.zsetKey).toBe(`${prefix}2_my_rule_1_out_1_bound`);
    expect(listing.configuredDigest).toBe(v1.digest);
    expect(listing.profiles.map((p) => [p.version, p.score, p.current, p.symbolsCount])).toEqual([
      [1, NOW + 1, true, 3],
      [0, NOW - 100, false, 3],
    ]);
    const [p1, p0] = listing.profiles;
    expect(p1.redisKey).toBe(`${prefix}_my_rule_out_1_bound_${v1.digest.slice(0, 8)}_1`);
    expect(p1.key).toMatchObject({ exists: true, hasAnn: true, annBytes: 1234, hasPca: true, rocThresholds: '[]', rocValues: [] });
    expect(p1.key.ttlSeconds).toBeGreaterThan(3500);
    expect(p1.key.lock.locked).toBe(false);
    // save_unlock removed the trainer's lock on the old key; hostname stays (§8).
    expect(p0.key).toMatchObject({ exists: true, hasAnn: false, annBytes: 0, ttlSeconds: null, rocThresholds: null });
    expect(p0.key.lock).toMatchObject({ locked: false, hostname: 'trainer' });
    expect(listing.invalid).toEqual([{ member: '{"digest":"x","extra":1}', score: NOW - 50, reason: expect.stringContaining('extra') }]);
  });

  it('computes the next version from every stored member with the digest', async () => {
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, NOW * 1000);
    const zset = repo.zsetKey('default', 'default');
    expect(await repo.nextVersion(zset, v0.profile.digest)).toBe(1);
    await publishVersion('default', 'default', 4, v0.profile.redis_key);
    expect(await repo.nextVersion(zset, v0.profile.digest)).toBe(5);
    expect(await repo.nextVersion(zset, 'other-digest')).toBe(1);
  });

  it('deletes one version: member, hash and both vector layouts, leaving the others', async () => {
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, NOW * 1000);
    const v1 = await publishVersion('default', 'default', 1, v0.profile.redis_key);
    const k = v1.redis_key;
    await redis.raw.sadd(`${k}_spam_set`, 'a');
    await redis.raw.sadd(`${k}_ham_set`, 'b');
    await redis.raw.lpush(`${k}_spam`, 'c');
    await redis.raw.sadd(`${v0.profile.redis_key}_spam_set`, 'keep');

    const deleted = await repo.deleteProfile('default', 'default', 1);
    expect(deleted.members).toEqual([serializeProfile({ ...v1 })]);
    expect(deleted.deletedKeys).toBe(4);
    expect(await redis.raw.exists(k, `${k}_spam_set`, `${k}_ham_set`, `${k}_spam`)).toBe(0);
    expect(await redis.raw.zrange(repo.zsetKey('default', 'default'), 0, -1)).toEqual([v0.member]);
    expect(await redis.raw.scard(`${v0.profile.redis_key}_spam_set`)).toBe(1);
    expect(await repo.deleteProfile('default', 'default', 7)).toEqual({ members: [], deletedKeys: 0 });
  });

  it('invalidates down to max_profiles with the oldest profile’s key and sets', async () => {
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, (NOW - 100) * 1000);
    await redis.raw.sadd(`${v0.profile.redis_key}_spam_set`, 'a');
    await redis.raw.sadd(`${v0.profile.redis_key}_ham_set`, 'b');
    let old = v0.profile.redis_key;
    for (const v of [1, 2, 3]) old = (await publishVersion('default', 'default', v, old)).redis_key;
    const removed = await repo.invalidate(repo.zsetKey('default', 'default'));
    expect(removed).toEqual([v0.member]);
    expect(await redis.raw.exists(v0.profile.redis_key, `${v0.profile.redis_key}_spam_set`, `${v0.profile.redis_key}_ham_set`)).toBe(0);
    expect(await redis.raw.zcard(repo.zsetKey('default', 'default'))).toBe(3);
  });
});

describe('saveAndUnlock', () => {
  it('publishes with the canonical member (no distance), unlocks, and drops the trained-from vectors', async () => {
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, NOW * 1000);
    const old = v0.profile.redis_key;
    expect(await repo.tryLock(old, { now: NOW, hostname: 'me' })).toEqual({ acquired: true });
    await redis.raw.sadd(`${old}_spam_set`, 's1', 's2');
    await redis.raw.sadd(`${old}_ham_set`, 'h1');
    const v1 = buildProfile({ prefix, rulePrefix: 'default', settings: 'default' }, SYMBOLS, 1);
    await repo.saveAndUnlock({
      zsetKey: v0.zsetKey, oldKey: old, profile: { ...v1, distance: 0 }, ann: Buffer.from([0, 1, 2]), annExpire: 600, now: NOW + 1,
    });
    const member = await redis.raw.zrangebyscore(v0.zsetKey, NOW + 1, NOW + 1);
    expect(member).toEqual([`{"digest":"${v1.digest}","symbols":${JSON.stringify(v1.symbols)},"version":1,"redis_key":"${v1.redis_key}"}`]);
    expect(await redis.raw.hexists(old, 'lock')).toBe(0);
    expect(await redis.raw.exists(`${old}_spam_set`, `${old}_ham_set`)).toBe(0);
    expect(await redis.raw.hget(v1.redis_key, 'roc_thresholds')).toBe('[]');
  });

  it('can keep the trained-from vectors and store a PCA blob (9 keys)', async () => {
    const v0 = await repo.createVersionZero('default', 'default', SYMBOLS, NOW * 1000);
    await redis.raw.sadd(`${v0.profile.redis_key}_spam_set`, 's1');
    const v1 = buildProfile({ prefix, rulePrefix: 'default', settings: 'default' }, SYMBOLS, 1);
    await repo.saveAndUnlock({
      zsetKey: v0.zsetKey, oldKey: v0.profile.redis_key, profile: v1, ann: Buffer.from('a'), annExpire: 600, now: NOW,
      pca: Buffer.from([9, 0, 9]), dropTrainedVectors: false,
    });
    expect(await redis.raw.scard(`${v0.profile.redis_key}_spam_set`)).toBe(1);
    expect(await redis.raw.hgetBuffer(v1.redis_key, 'pca')).toEqual(Buffer.from([9, 0, 9]));
  });
});

describe('vectors', () => {
  it('counts and reads the 3.4 SET layout as redis.raw binary frames that decode to the rows', async () => {
    const k = `${prefix}_default_default_abcdefgh_0`;
    const rows = [[0.5, 1, 0.1], [0, 0, 1e-7]];
    for (const row of rows) expect(await repo.pushVector(k, 'spam', await frame(row))).toEqual({ layout: 'set', added: true });
    // Identical rows collapse in a SET (§5.2).
    expect(await repo.pushVector(k, 'spam', await frame(rows[0]))).toEqual({ layout: 'set', added: false });
    await repo.pushVector(k, 'ham', await frame([1, 1, 1]));

    expect(await repo.vectorCounts(k)).toEqual({ spam: 2, ham: 1, layout: 'set', sets: { spam: 2, ham: 1 }, lists: { spam: 0, ham: 0 } });
    expect(await repo.vectorsLen(k)).toEqual({ locked: false, spam: 2, ham: 1 });
    const stored = await repo.readVectors(k);
    expect(stored.layout).toBe('set');
    const decoded = await Promise.all(stored.spam.map(async (f) => (await decompress(f)).toString().split(';').map(Number)));
    expect(decoded.sort((a, b) => a[0] - b[0])).toEqual([rows[1], rows[0]]);
    expect(stored.spam.every((f) => f.readUInt32LE(0) === 0xfd2fb528)).toBe(true);
  });

  it('counts and reads the 2020 LIST layout, and keeps pushing to a class that is a LIST', async () => {
    const k = `${prefix}_default_default_abcdefgh_0`;
    const a = await frame([1, 2]);
    const b = await frame([3, 4]);
    await redis.raw.lpush(`${k}_spam`, a, a);
    await redis.raw.lpush(`${k}_ham`, b);
    expect(await repo.vectorCounts(k)).toMatchObject({ spam: 2, ham: 1, layout: 'list' });
    expect(await repo.vectorsLen(k, 'list')).toEqual({ locked: false, spam: 2, ham: 1 });
    expect(await repo.pushVector(k, 'ham', a)).toEqual({ layout: 'list', added: true });
    const stored = await repo.readVectors(k);
    expect(stored).toEqual({ spam: [a, a], ham: [a, b], layout: 'list' });
  });

  it('prefers the SETs when both layouts exist and reports none for an empty key', async () => {
    const k = `${prefix}_default_default_abcdefgh_3`;
    await redis.raw.sadd(`${k}_spam_set`, 'x');
    await redis.raw.lpush(`${k}_spam`, 'y', 'z');
    await redis.raw.lpush(`${k}_ham`, 'h');
    expect(await repo.vectorCounts(k)).toEqual({ spam: 1, ham: 0, layout: 'set', sets: { spam: 1, ham: 0 }, lists: { spam: 2, ham: 1 } });
    const stored = await repo.readVectors(k);
    expect(stored.spam).toEqual([Buffer.from('x')]);
    // The ham class exists only as a LIST, so it is still found.
    expect(stored.ham).toEqual([Buffer.from('h')]);
    expect(await repo.vectorCounts(`${prefix}_nothing_0`)).toMatchObject({ spam: 0, ham: 0, layout: 'none' });
    expect(await repo.readVectors(`${prefix}_nothing_0`)).toEqual({ spam: [], ham: [], layout: 'none' });
  });

  it('vectors_len reports the holder while locked', async () => {
    const k = `${prefix}_default_default_abcdefgh_0`;
    await repo.tryLock(k, { now: NOW, hostname: 'box' });
    expect(await repo.vectorsLen(k)).toEqual({ locked: true, holder: `box:${NOW}` });
  });
});

describe('locks', () => {
  const k = (): string => `${prefix}_default_default_abcdefgh_0`;

  it('reports lock state with rspamd’s expiry max(10, 2·watch_interval)', async () => {
    expect(await repo.lockState(k(), NOW)).toMatchObject({ locked: false, held: false, lockTime: null });
    await repo.tryLock(k(), { now: NOW, hostname: 'box', watchInterval: 60 });
    expect(await repo.lockState(k(), NOW + 30, 60)).toEqual({
      locked: true, held: true, lockTime: NOW, lockRaw: String(NOW), hostname: 'box', ageSeconds: 30, expiresAt: NOW + 120, expireSeconds: 120,
    });
    expect(await repo.lockState(k(), NOW, 60)).toMatchObject({ locked: true, held: false, ageSeconds: 0 });
    expect(await repo.lockState(k(), NOW + 120, 60)).toMatchObject({ locked: true, held: false });
    expect(await repo.lockState(k(), NOW + 9, 1)).toMatchObject({ held: true, expiresAt: NOW + 10 });
    expect(await repo.lockState(k(), NOW + 10, 1)).toMatchObject({ held: false, expireSeconds: 10 });
  });

  it('refuses a held lock, then takes it once stale', async () => {
    await repo.tryLock(k(), { now: NOW, hostname: 'a' });
    expect(await repo.tryLock(k(), { now: NOW + 119, hostname: 'b', watchInterval: 60 })).toEqual({
      acquired: false, lockTime: String(NOW), hostname: 'a',
    });
    expect(await repo.tryLock(k(), { now: NOW + 120, hostname: 'b', watchInterval: 60 })).toEqual({ acquired: true });
    expect(await redis.raw.hgetall(k())).toEqual({ lock: String(NOW + 120), hostname: 'b' });
  });

  it('refreshes to now − 1 so the lock keeps counting as held, and extends by HINCRBY', async () => {
    await repo.tryLock(k(), { now: NOW, hostname: 'me' });
    expect(await repo.refreshLock(k(), NOW + 100, 'me')).toBe(true);
    expect(await redis.raw.hget(k(), 'lock')).toBe(String(NOW + 99));
    expect((await repo.lockState(k(), NOW + 100)).held).toBe(true);
    expect(await repo.refreshLock(k(), NOW + 200, 'intruder')).toBe(false);
    expect(await repo.extendLock(k(), 30)).toBe(NOW + 129);
  });

  it('force unlock removes only the lock field and says whether there was one', async () => {
    await repo.tryLock(k(), { now: NOW, hostname: 'me' });
    expect(await repo.forceUnlock(k())).toBe(true);
    expect(await redis.raw.hgetall(k())).toEqual({ hostname: 'me' });
    expect(await repo.forceUnlock(k())).toBe(false);
    // A released lock is not resurrected by upkeep calls (it would block vectors forever, §8).
    expect(await repo.refreshLock(k(), NOW)).toBe(false);
    expect(await repo.extendLock(k())).toBeNull();
    expect(await redis.raw.hexists(k(), 'lock')).toBe(0);
  });
});
