import { afterEach, describe, expect, it } from 'vitest';
import type { NeuralSetItem } from '../../../shared/api/neural.js';
import { pendingSetKey } from '../../../server/src/neural/redis/neural-keys.js';
import { buildProfile, parseProfile, serializeProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { encodeVector } from '../../../server/src/neural/training/vector-codec.js';
import type { TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { privateRedis } from '../../helpers/private-redis.js';
import { api, jobsOnceOneSucceeded, lcg, row, seedSet, sleep, startNeuralFuzzyd, SYMBOLS, waitForJob } from './neural-harness.js';

/** The REST API and the automatic trigger on rspamd 4.x's layout (docs/spec/neural-4x.md), beside 3.4 leftovers. */

const WIDTH_4X = 46 + SYMBOLS.length;
/** A 3.4 profile with other symbols than the 4.x one: another digest, so no ANN key in common. */
const OLD_SYMBOLS = ['HAM_CALM', 'HAM_REPLY', 'SPAM_BITCOIN', 'SPAM_URGENT'];

const redis = privateRedis();
const started: TestFuzzyd[] = [];
let n = 0;

afterEach(async () => {
  while (started.length > 0) await started.pop()!.close();
});

async function start(env: Record<string, string>): Promise<ReturnType<typeof api>> {
  const fuzzyd = await startNeuralFuzzyd({ FUZZYD_REDIS_URL: redis.url, ...env });
  started.push(fuzzyd);
  return api(fuzzyd);
}

async function versions(zsetKey: string): Promise<number[]> {
  return (await redis.raw.zrevrange(zsetKey, 0, -1)).map((m) => {
    const p = parseProfile(m, '4.x');
    return p.ok ? p.profile.version : -1;
  });
}

describe('neural REST API on the 4.x layout', () => {
  it('lists a 4.x set (pending rows counted) beside its 3.4 leftovers and trains each generation its own way', async () => {
    const prefix = `api4x${process.pid}x${++n}`;
    const call = await start({
      FUZZYD_NEURAL_CONFIG: JSON.stringify({ prefix, rules: { default: { train: { max_trains: 10 }, ann_expire: 7200 } } }),
      FUZZYD_NEURAL_AUTOTRAIN: 'false',
    });
    const old = await seedSet(redis.raw, { prefix, rulePrefix: 'default', settings: 'default', nSpam: 4, nHam: 4, seed: 3, symbols: OLD_SYMBOLS });
    const set4 = await seedSet(redis.raw, { prefix, rulePrefix: 'default', settings: 'default', nSpam: 6, nHam: 6, generation: '4.x' });
    const pendingSpam = pendingSetKey(prefix, 'default', 'default', 'spam');
    const rnd = lcg(9);
    for (let i = 0; i < 2; i++) await redis.raw.sadd(pendingSpam, await encodeVector(row('spam', rnd, SYMBOLS, 46)));

    const list = (await call('GET', '/rules')).json() as NeuralSetItem[];
    expect(list.map((s) => [s.zsetKey, s.generation, s.selected, s.metatokens, s.vectors.spam, s.vectors.ham, s.pendingVectors])).toEqual([
      [old.zsetKey, '3.4', false, 26, 4, 4, null],
      [set4.zsetKey, '4.x', true, 46, 8, 6, { spam: 2, ham: 0 }],
    ]);
    // Without ?layout= a route acts on the selected generation; ?layout=3.4 reaches the leftovers.
    expect((await call('GET', '/rules/default/settings/default')).json()).toMatchObject({ generation: '4.x', zsetKey: set4.zsetKey });
    expect((await call('GET', '/rules/default/settings/default?layout=3.4')).json()).toMatchObject({ generation: '3.4', selected: false });

    const res = await call('POST', '/rules/default/settings/default/train');
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(call, res.json().jobId);
    expect(job, job.error ?? '').toMatchObject({
      state: 'succeeded', generation: '4.x', publishedVersion: 1, oldKey: set4.key, nInputs: WIDTH_4X,
      vectors: { spam: 8, ham: 6, invalid: 0, wrongWidth: 0, expectedWidth: WIDTH_4X },
    });
    expect(await versions(set4.zsetKey)).toEqual([1, 0]);
    expect(await redis.raw.hget(set4.key, 'obsolete')).toBe('1');
    expect(await redis.raw.ttl(`${set4.key}_spam_set`)).toBeGreaterThan(0);
    expect(await redis.raw.exists(pendingSpam)).toBe(0);
    expect(await redis.raw.ttl(set4.zsetKey)).toBeGreaterThan(7000);

    const after = (await call('GET', '/rules/default/settings/default')).json() as NeuralSetItem;
    expect(after.profiles.map((p) => [p.version, p.current, p.obsolete, p.generation])).toEqual([
      [1, true, false, '4.x'],
      [0, false, true, '4.x'],
    ]);
    // New vectors go to v1; a 3.4-wide row is refused with the 4.x width.
    const push = await call('POST', '/rules/default/settings/default/vectors', { body: { class: 'ham', values: row('ham', rnd, SYMBOLS, 46) } });
    expect(push.json(), push.body).toMatchObject({ stored: true, version: 1, redisKey: job.newKey });
    const narrow = await call('POST', '/rules/default/settings/default/vectors', { body: { class: 'ham', values: row('ham', rnd) } });
    expect(narrow.statusCode).toBe(400);
    expect(narrow.json().detail).toContain(`must have ${WIDTH_4X} numbers (46 metatokens of the 4.x layout`);

    // The 3.4 leftovers train on demand with 3.4's publish (trained-from vectors dropped, no obsolete marker).
    const res34 = await call('POST', '/rules/default/settings/default/train?layout=3.4');
    const job34 = await waitForJob(call, res34.json().jobId);
    expect(job34, job34.error ?? '').toMatchObject({ state: 'succeeded', generation: '3.4', publishedVersion: 1, nInputs: 26 + OLD_SYMBOLS.length });
    expect(await redis.raw.exists(`${old.key}_spam_set`)).toBe(0);
    expect(await redis.raw.hexists(old.key, 'obsolete')).toBe(0);
  });

  it('keeps the keys a 3.4 leftover shares with 4.x (same symbols, same digest): 26-wide rows are not trained, a delete spares them', async () => {
    const prefix = `shared${process.pid}x${++n}`;
    const call = await start({ FUZZYD_NEURAL_CONFIG: JSON.stringify({ prefix, rules: { default: {} } }), FUZZYD_NEURAL_AUTOTRAIN: 'false' });
    const old = await seedSet(redis.raw, { prefix, rulePrefix: 'default', settings: 'default', nSpam: 3, nHam: 3, seed: 5 });
    const set4 = await seedSet(redis.raw, { prefix, rulePrefix: 'default', settings: 'default', nSpam: 4, nHam: 4, generation: '4.x' });
    expect(set4.key).toBe(old.key); // rspamd 4.x would write into 3.4's sets too

    const res = await call('POST', '/rules/default/settings/default/train');
    const job = await waitForJob(call, res.json().jobId);
    expect(job, job.error ?? '').toMatchObject({ state: 'succeeded', generation: '4.x', vectors: { spam: 4, ham: 4, wrongWidth: 6 } });

    const del = await call('DELETE', '/rules/default/settings/default/profiles/0?layout=3.4');
    expect(del.json(), del.body).toMatchObject({ removed: 1, deletedKeys: 0 });
    expect(await redis.raw.zcard(old.zsetKey)).toBe(0);
    expect(await redis.raw.hget(set4.key, 'obsolete')).toBe('1'); // 4.x's trained-from key, left to expire
    expect(await redis.raw.scard(`${set4.key}_spam_set`)).toBe(7);
  });

  it('refuses to train a profile built from feature providers', async () => {
    const prefix = `prov${process.pid}x${++n}`;
    const call = await start({ FUZZYD_NEURAL_CONFIG: JSON.stringify({ prefix, rules: { default: {} } }), FUZZYD_NEURAL_AUTOTRAIN: 'false' });
    const profile = { ...buildProfile({ prefix, rulePrefix: 'default', settings: 'default' }, SYMBOLS, 0), providers_digest: 'ab12cd34ef56ab78' };
    await redis.raw.zadd(`${prefix}3_default_3_default`, Date.now() / 1000, serializeProfile(profile));
    const listed = (await call('GET', '/rules/default/settings/default')).json() as NeuralSetItem;
    expect(listed.profiles[0]).toMatchObject({ providersDigest: 'ab12cd34ef56ab78', generation: '4.x' });
    const res = await call('POST', '/rules/default/settings/default/train');
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('feature providers');
  });
});

describe('automatic trigger on the 4.x layout', () => {
  it("uses 4.x's balanced trigger, leaves the 3.4 leftovers alone, and collects 4.x tombstones", async () => {
    const prefix = `auto4x${process.pid}x${++n}`;
    const config = { prefix, rules: { auto: { train: { max_trains: 5 }, watch_interval: 1, settings: ['default', 'other'] } } };
    // 5 + 5: trained. 5 + 2: enough for 3.4's lenient test but not for 4.x's balanced one. The 3.4 leftover of
    // `default` would pass 3.4's test but is not the selected generation.
    const ready = await seedSet(redis.raw, { prefix, rulePrefix: 'auto', settings: 'default', nSpam: 5, nHam: 5, generation: '4.x' });
    const short = await seedSet(redis.raw, { prefix, rulePrefix: 'auto', settings: 'other', nSpam: 5, nHam: 2, generation: '4.x' });
    const leftover = await seedSet(redis.raw, { prefix, rulePrefix: 'auto', settings: 'default', nSpam: 5, nHam: 2 });
    // A blob-less, set-less member older than the grace period, in each registry.
    const ghost = serializeProfile(buildProfile({ prefix, rulePrefix: 'auto', settings: 'other' }, ['GONE'], 9));
    const longAgo = Date.now() / 1000 - 3600;
    await redis.raw.zadd(short.zsetKey, longAgo, ghost);
    await redis.raw.zadd(leftover.zsetKey, longAgo, ghost);

    const call = await start({ FUZZYD_NEURAL_CONFIG: JSON.stringify(config), FUZZYD_NEURAL_LAYOUT: '4.x' });
    const jobs = await jobsOnceOneSucceeded(call);
    expect(jobs.map((j) => [j.trigger, j.settings, j.generation, j.state, j.publishedVersion])).toEqual([['auto', 'default', '4.x', 'succeeded', 1]]);
    expect(await versions(ready.zsetKey)).toEqual([1, 0]);

    await sleep(2200);
    expect((await call('GET', '/jobs')).json()).toHaveLength(1);
    expect(await versions(short.zsetKey)).toEqual([0]); // the ghost is gone
    expect(await redis.raw.zcard(leftover.zsetKey)).toBe(2); // 3.4's registry: untouched, ghost and all
  });
});
