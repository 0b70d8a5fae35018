import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  NeuralJob, NeuralSetItem, NeuralTrainAccepted, NeuralUnlockResult, NeuralVectorPushResult,
} from '../../../shared/api/neural.js';
import { profilesKey, vectorListKey, vectorSetKey } from '../../../server/src/neural/redis/neural-keys.js';
import { parseProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { unpackAnn } from '../../../server/src/neural/training/ann-envelope.js';
import { readKann } from '../../helpers/kann/kann-reader.js';
import { encodeVector } from '../../../server/src/neural/training/vector-codec.js';
import type { TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { startRedisServer, type TestRedis } from '../../helpers/redis-server.js';
import { api, lcg, row, seedSet, startNeuralFuzzyd, SYMBOLS, waitForJob, WIDTH } from './neural-harness.js';

const PREFIX = `nt${process.pid}`;
const ANN_EXPIRE = 7200;
const CONFIG = {
  prefix: PREFIX,
  rules: {
    // Dynamic profile: fuzzyd learns the symbols from the newest profile in Redis, as for a real rspamd rule.
    default: { train: { max_trains: 10, max_iterations: 30 }, watch_interval: 1, ann_expire: ANN_EXPIRE },
    // Static profile: fuzzyd knows the symbols and can create version 0 itself.
    fixed: {
      settings: ['default', 'inbound'],
      symbols: { inbound: SYMBOLS },
      train: { max_trains: 3, learn_mode: 'proportional' },
    },
  },
};

let redis: TestRedis;
let raw: Redis;
let fuzzyd: TestFuzzyd;
let call: ReturnType<typeof api>;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  fuzzyd = await startNeuralFuzzyd({
    FUZZYD_REDIS_URL: redis.url,
    FUZZYD_NEURAL_CONFIG: JSON.stringify(CONFIG),
    FUZZYD_NEURAL_AUTOTRAIN: 'false',
  });
  call = api(fuzzyd);
});

afterAll(async () => {
  await fuzzyd?.close();
  await raw?.quit();
  await redis?.stop();
});

async function rules(): Promise<NeuralSetItem[]> {
  const res = await call('GET', '/rules');
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

async function setItem(rule: string, settings: string): Promise<NeuralSetItem> {
  const res = await call('GET', `/rules/${rule}/settings/${settings}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('neural REST API with a real Redis', () => {
  it('needs a token: 401 without one, and a read token may not train', async () => {
    const res = await call('GET', '/rules', { token: null });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((await call('POST', '/rules/default/settings/default/train', { token: 'fzd_nonsense' })).statusCode).toBe(401);
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await fuzzyd.http.inject({ method: 'GET', url: '/docs-json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/neural/rules',
        '/api/v1/neural/rules/{rule}/settings/{settings}/train',
        '/api/v1/neural/rules/{rule}/settings/{settings}/vectors',
        '/api/v1/neural/rules/{rule}/settings/{settings}/lock',
        '/api/v1/neural/rules/{rule}/settings/{settings}/profiles/{version}',
        '/api/v1/neural/jobs/{id}',
      ]),
    );
  });

  it('lists every configured rule × settings, also before anything is in Redis', async () => {
    const items = await rules();
    const names = items.map((i) => `${i.rule}/${i.settings}`);
    expect(names).toEqual(expect.arrayContaining(['default/default', 'fixed/default', 'fixed/inbound']));
    const empty = items.find((i) => i.rule === 'fixed' && i.settings === 'inbound')!;
    expect(empty).toMatchObject({
      zsetKey: `${PREFIX}2_fixed_1_inbound`,
      configured: true,
      maxTrains: 3,
      profiles: [],
      vectors: { spam: 0, ham: 0, layout: 'none' },
      lock: { locked: false, held: false, hostname: null },
      activeJobId: null,
    });
  });

  it('trains on demand: 202 with a job id, progress, a published version rspamd can load, the old vectors gone', async () => {
    const seeded = await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'default', nSpam: 14, nHam: 12 });
    // A member rspamd would reject (extra field) is shown, not used.
    await raw.zadd(seeded.zsetKey, 1, '{"digest":"x","symbols":[],"version":9,"redis_key":"k","extra":1}');

    const before = await setItem('default', 'default');
    expect(before.vectors).toEqual({ spam: 14, ham: 12, layout: 'set' });
    expect(before.profiles[0]).toMatchObject({ version: 0, redisKey: seeded.key, symbols: SYMBOLS.length, annBytes: 0, current: true, hasAnn: false });
    expect(before.invalidProfiles).toHaveLength(1);
    expect(before.invalidProfiles[0].reason).toMatch(/extra/);

    const res = await call('POST', '/rules/default/settings/default/train');
    expect(res.statusCode, res.body).toBe(202);
    const { jobId } = res.json() as NeuralTrainAccepted;
    const job = await waitForJob(call, jobId);
    expect(job, job.error ?? '').toMatchObject({
      state: 'succeeded',
      trigger: 'manual',
      rule: 'default',
      settings: 'default',
      maxEpochs: 30,
      fromVersion: 0,
      oldKey: seeded.key,
      publishedVersion: 1,
      newKey: seeded.key.replace(/_0$/, '_1'),
      nInputs: WIDTH,
      vectors: { spam: 14, ham: 12, invalid: 0, wrongWidth: 0, expectedWidth: WIDTH, layout: 'set' },
      error: null,
    });
    expect(job.epoch).toBeGreaterThan(10);
    expect(job.history).toHaveLength(job.epoch);
    expect(job.history[0].validationCost).toBeTypeOf('number'); // 26 rows → 2 validation rows
    expect(job.history.at(-1)!.trainCost).toBeLessThan(job.history[0].trainCost);
    expect(Date.parse(job.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(job.startedAt!));
    // The report names the published epoch: its validation cost is the published one, the lowest after patience.
    expect(job.bestEpoch).not.toBeNull();
    expect(job.history[job.bestEpoch! - 1].validationCost).toBeCloseTo(job.bestValidationCost!, 6);
    expect(job.stoppedEarly).toBe(job.epoch < job.maxEpochs);

    // What rspamd's scanner reads (spec §4.4, §10): a canonical profile without `distance`, an `ann` frame whose
    // kann graph takes 26 + #symbols inputs, `roc_thresholds` written, ann_expire set.
    const members = await raw.zrevrange(seeded.zsetKey, 0, -1);
    const top = parseProfile(members[0]);
    expect(top).toMatchObject({ ok: true, canonical: true, profile: { version: 1, redis_key: job.newKey, symbols: SYMBOLS } });
    expect(members[0]).not.toContain('distance');
    const [annFrame] = await raw.hmgetBuffer(job.newKey!, 'ann');
    const kann = readKann(await unpackAnn(annFrame!));
    expect(kann.nIn).toBe(WIDTH);
    expect(kann.weights).not.toBeNull(); // exactly rspamd's 13-node graph
    const rnd = lcg(99);
    expect(kann.forward(row('spam', rnd))).toBeGreaterThan(0);
    expect(kann.forward(row('ham', rnd))).toBeLessThan(0);
    expect(await raw.hget(job.newKey!, 'roc_thresholds')).toBe('[]');
    const ttl = await raw.ttl(job.newKey!);
    expect(ttl).toBeGreaterThan(ANN_EXPIRE - 60);
    expect(ttl).toBeLessThanOrEqual(ANN_EXPIRE);

    // Lock released on both keys; the trained-from sets are deleted so they cannot be trained twice (§9.3).
    expect(await raw.hget(seeded.key, 'lock')).toBeNull();
    expect(await raw.hget(seeded.key, 'hostname')).toMatch(/^fuzzyd@/);
    expect(await raw.exists(vectorSetKey(seeded.key, 'spam'), vectorSetKey(seeded.key, 'ham'))).toBe(0);

    const after = await setItem('default', 'default');
    expect(after.profiles.map((p) => [p.version, p.current])).toEqual([[1, true], [0, false]]);
    expect(after.profiles[0].annBytes).toBeGreaterThan(0);
    expect(after.profiles[0].ttl).toBeGreaterThan(0);
    expect(after.vectors).toEqual({ spam: 0, ham: 0, layout: 'none' });

    const list = (await call('GET', '/jobs')).json() as NeuralJob[];
    expect(list[0].id).toBe(jobId);
  });

  it('publishes max(stored version) + 1, whatever version the current profile has', async () => {
    const prefix = PREFIX;
    const zsetKey = profilesKey(prefix, 'default', 'bulk');
    // An old version 7 of the same digest (expired hash) and a newer current version 2 with vectors.
    await seedSet(raw, { prefix, rulePrefix: 'default', settings: 'bulk', version: 7, nSpam: 0, nHam: 0, score: 10 });
    const current = await seedSet(raw, { prefix, rulePrefix: 'default', settings: 'bulk', version: 2, nSpam: 5, nHam: 5, seed: 3 });
    const res = await call('POST', '/rules/default/settings/bulk/train');
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(call, (res.json() as NeuralTrainAccepted).jobId);
    expect(job).toMatchObject({ state: 'succeeded', fromVersion: 2, oldKey: current.key, publishedVersion: 8 });
    const top = parseProfile((await raw.zrevrange(zsetKey, 0, 0))[0]);
    expect(top.ok && top.profile.version).toBe(8);
  });

  it('refuses a training while another host holds the lock (423), and DELETE lock breaks it', async () => {
    const seeded = await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'locked', nSpam: 4, nHam: 4 });
    const now = Math.floor(Date.now() / 1000);
    await raw.hset(seeded.key, 'lock', String(now - 1), 'hostname', 'other-trainer');

    const item = await setItem('default', 'locked');
    expect(item.lock).toMatchObject({ locked: true, held: true, hostname: 'other-trainer', lockTime: now - 1, expiresAt: now - 1 + 10 });

    const refused = await call('POST', '/rules/default/settings/locked/train');
    expect(refused.statusCode).toBe(423);
    expect(refused.json().detail).toMatch(/being trained by other-trainer/);

    // A locked set takes no vectors either (spec §6.1).
    const push = await call('POST', '/rules/default/settings/locked/vectors', { body: { class: 'spam', values: row('spam', lcg(5)) } });
    expect(push.statusCode, push.body).toBe(200);
    expect(push.json()).toMatchObject({ stored: false, reason: expect.stringMatching(/locked for learning by other-trainer:/) });

    const unlocked = await call('DELETE', '/rules/default/settings/locked/lock');
    expect(unlocked.statusCode, unlocked.body).toBe(200);
    expect(unlocked.json()).toEqual({ removed: true, keys: [seeded.key] } satisfies NeuralUnlockResult);
    expect(await raw.hget(seeded.key, 'lock')).toBeNull();
    expect((await call('DELETE', '/rules/default/settings/locked/lock')).json()).toEqual({ removed: false, keys: [] });

    const res = await call('POST', '/rules/default/settings/locked/train');
    expect(res.statusCode, res.body).toBe(202);
    expect((await waitForJob(call, res.json().jobId)).state).toBe('succeeded');
  });

  it('a stale lock (older than max(10, 2·watch_interval)) does not block a training', async () => {
    const seeded = await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'stale', nSpam: 3, nHam: 3 });
    await raw.hset(seeded.key, 'lock', String(Math.floor(Date.now() / 1000) - 60), 'hostname', 'crashed-host');
    expect((await setItem('default', 'stale')).lock).toMatchObject({ locked: true, held: false });
    const res = await call('POST', '/rules/default/settings/stale/train');
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForJob(call, res.json().jobId);
    expect(job.state).toBe('succeeded');
    expect(job.history[0].validationCost).toBeNull(); // 6 rows: floor(0.1 · 6) = 0 validation rows (§9.4)
    expect(await raw.hget(seeded.key, 'lock')).toBeNull();
  });

  it('refuses a second training of the same set while one is active (409), and trainings without both classes', async () => {
    await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'twice', nSpam: 40, nHam: 40 });
    const first = await call('POST', '/rules/default/settings/twice/train');
    expect(first.statusCode).toBe(202);
    const second = await call('POST', '/rules/default/settings/twice/train');
    expect(second.statusCode).toBe(409);
    expect(second.json().detail).toContain(first.json().jobId);
    expect((await setItem('default', 'twice')).activeJobId).toBe(first.json().jobId);
    await waitForJob(call, first.json().jobId);

    await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'onesided', nSpam: 5, nHam: 0 });
    const onesided = await call('POST', '/rules/default/settings/onesided/train');
    expect(onesided.statusCode).toBe(409);
    expect(onesided.json().detail).toMatch(/both classes.*5 spam and 0 ham/);
  });

  it('drops undecodable and wrong-width vectors, reports them, and still trains on the rest', async () => {
    const seeded = await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'dirty', nSpam: 6, nHam: 6 });
    await raw.sadd(vectorSetKey(seeded.key, 'spam'), Buffer.from('not a zstd frame'));
    await raw.sadd(vectorSetKey(seeded.key, 'ham'), await encodeVector([0.5, 0.5, 0.5]));
    const res = await call('POST', '/rules/default/settings/dirty/train');
    const job = await waitForJob(call, res.json().jobId);
    expect(job.state).toBe('succeeded');
    expect(job.vectors).toMatchObject({ spam: 6, ham: 6, invalid: 1, wrongWidth: 1 });
  });

  it('trains from the 2020 LIST layout too, and pushes into it while a class lives there', async () => {
    const seeded = await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'lists', nSpam: 0, nHam: 0 });
    const rnd = lcg(21);
    for (let i = 0; i < 5; i++) {
      await raw.lpush(vectorListKey(seeded.key, 'spam'), await encodeVector(row('spam', rnd)));
      await raw.lpush(vectorListKey(seeded.key, 'ham'), await encodeVector(row('ham', rnd)));
    }
    expect((await setItem('default', 'lists')).vectors).toEqual({ spam: 5, ham: 5, layout: 'list' });
    const pushed = await call('POST', '/rules/default/settings/lists/vectors', { body: { class: 'ham', values: row('ham', rnd) } });
    expect(pushed.json()).toMatchObject({ stored: true, vectors: { layout: 'list' } });
    expect(await raw.llen(vectorListKey(seeded.key, 'ham'))).toBe(6);

    const res = await call('POST', '/rules/default/settings/lists/train');
    const job = await waitForJob(call, res.json().jobId);
    expect(job).toMatchObject({ state: 'succeeded', publishedVersion: 1, vectors: { spam: 5, ham: 6, layout: 'list' } });
    expect(await raw.exists(vectorListKey(seeded.key, 'spam'), vectorListKey(seeded.key, 'ham'))).toBe(0);
  });

  it('pushes vectors under rspamd sampling: the max_trains cap, duplicates, and version 0 made for a static profile', async () => {
    const rnd = lcg(7);
    const results: NeuralVectorPushResult[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/rules/fixed/settings/inbound/vectors', { body: { class: 'spam', values: row('spam', rnd) } });
      expect(res.statusCode, res.body).toBe(200);
      results.push(res.json());
    }
    // Cap test is n > max_trains (3): accepted at 0..3, so 4 stored, then "too many" (spec §5.4).
    expect(results.map((r) => r.stored)).toEqual([true, true, true, true, false]);
    expect(results[4].reason).toMatch(/too many spam samples: 4 > max_trains 3/);
    expect(results[4]).toMatchObject({ version: 0, vectors: { spam: 4, ham: 0, layout: 'set' } });

    const zset = await raw.zrange(`${PREFIX}2_fixed_1_inbound`, 0, -1);
    expect(zset).toHaveLength(1);
    expect(parseProfile(zset[0])).toMatchObject({ ok: true, canonical: true, profile: { version: 0, distance: 0, symbols: SYMBOLS } });

    const ham = row('ham', rnd);
    const firstHam = await call('POST', '/rules/fixed/settings/inbound/vectors', { body: { class: 'ham', values: ham } });
    expect(firstHam.json()).toMatchObject({ stored: true });
    const again = await call('POST', '/rules/fixed/settings/inbound/vectors', { body: { class: 'ham', values: ham } });
    expect(again.json()).toMatchObject({ stored: false, reason: expect.stringMatching(/identical/) });

    const item = await setItem('fixed', 'inbound');
    expect(item.vectors).toEqual({ spam: 4, ham: 1, layout: 'set' });
  });

  it('refuses a push for a dynamic set without any profile (rspamd must create version 0)', async () => {
    const res = await call('POST', '/rules/fixed/settings/default/vectors', { body: { class: 'spam', values: [1, 2] } });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toMatch(/no profile yet/);
  });

  it('answers 400 naming the field for bad input', async () => {
    const bad: Array<[unknown, string]> = [
      [{ class: 'eggs', values: [1] }, 'class'],
      [{ values: [1] }, 'class'],
      [{ class: 'spam', values: [] }, 'values'],
      [{ class: 'spam', values: 'x' }, 'values'],
      [{ class: 'spam', values: [0.1, 'x'] }, 'values[1]'],
      [{ class: 'spam', values: [0.1, null] }, 'values[1]'],
      [{ class: 'spam', values: Array(WIDTH - 1).fill(0) }, 'values'],
      [{ class: 'spam', values: [1], colour: 'red' }, 'colour'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of bad) {
      const res = await call('POST', '/rules/fixed/settings/inbound/vectors', { body });
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().field, JSON.stringify(body)).toBe(field);
    }
    const width = await call('POST', '/rules/fixed/settings/inbound/vectors', { body: { class: 'ham', values: [1, 2, 3] } });
    expect(width.json().detail).toBe(`values: must have ${WIDTH} numbers (26 metatokens of the 3.4 layout + 6 symbols of profile version 0), got 3`);

    const version = await call('DELETE', '/rules/fixed/settings/inbound/profiles/latest');
    expect(version.statusCode).toBe(400);
    expect(version.json().field).toBe('version');

    for (const route of ['GET /rules/fixed/settings/inbound', 'POST /rules/fixed/settings/inbound/train', 'DELETE /rules/fixed/settings/inbound/lock']) {
      const [method, path] = route.split(' ');
      const layout = await call(method, `${path}?layout=5.0`);
      expect(layout.statusCode, route).toBe(400);
      expect(layout.json(), route).toMatchObject({ field: 'layout', detail: 'layout: must be one of 3.4, 4.x' });
    }
  });

  it('answers 404 for a rule × settings that is neither configured nor in Redis, and for unknown jobs', async () => {
    const res = await call('POST', '/rules/nosuchrule/settings/default/train');
    expect(res.statusCode).toBe(404);
    expect(res.json().detail).toMatch(/no neural rule 'nosuchrule'/);
    expect((await call('GET', '/rules/default/settings/nosuchsettings')).statusCode).toBe(404);
    expect((await call('GET', '/jobs/00000000-0000-0000-0000-000000000000')).statusCode).toBe(404);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('treats a rule or settings named %s as any unknown name (404, not 500)', async (name) => {
    const train = await call('POST', `/rules/${name}/settings/default/train`);
    expect(train.statusCode).toBe(404);
    expect(train.json().detail).toContain(`no neural rule '${name}'`);
    expect((await call('GET', `/rules/default/settings/${name}`)).statusCode).toBe(404);
    expect((await call('GET', `/rules/${name}/settings/${name}`)).statusCode).toBe(404);
  });

  it('shows and trains sets found only in Redis, under their rule prefix', async () => {
    await seedSet(raw, { prefix: PREFIX, rulePrefix: 'legacy', settings: 'default', nSpam: 3, nHam: 3 });
    const found = (await rules()).find((i) => i.rule === 'legacy');
    expect(found).toMatchObject({ configured: false, maxTrains: 1000, vectors: { spam: 3, ham: 3 } });
    const res = await call('POST', '/rules/legacy/settings/default/train');
    expect(res.statusCode, res.body).toBe(202);
    expect((await waitForJob(call, res.json().jobId)).publishedVersion).toBe(1);
  });

  it('deletes a profile with its ANN hash and vectors', async () => {
    const seeded = await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'doomed', nSpam: 2, nHam: 2 });
    const res = await call('DELETE', '/rules/default/settings/doomed/profiles/0');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ removed: 1, deletedKeys: 2, warning: null }); // version 0 has no ANN: nothing loaded it
    expect(await raw.zcard(seeded.zsetKey)).toBe(0);
    expect(await raw.exists(vectorSetKey(seeded.key, 'spam'))).toBe(0);
    // The zset is gone now, so the unconfigured settings name is unknown.
    expect((await call('DELETE', '/rules/default/settings/doomed/profiles/0')).statusCode).toBe(404);
    const missing = await call('DELETE', '/rules/fixed/settings/inbound/profiles/5');
    expect(missing.statusCode).toBe(404);
  });

  it('warns when the deleted profile is the current one with an ANN, which rspamd workers may have loaded', async () => {
    const seeded = await seedSet(raw, { prefix: PREFIX, rulePrefix: 'default', settings: 'published', nSpam: 12, nHam: 12 });
    const train = await call('POST', '/rules/default/settings/published/train');
    expect((await waitForJob(call, train.json().jobId)).publishedVersion).toBe(1);
    const older = await call('DELETE', '/rules/default/settings/published/profiles/0');
    expect(older.json()).toMatchObject({ removed: 1, warning: null });
    const current = await call('DELETE', '/rules/default/settings/published/profiles/1');
    expect(current.statusCode, current.body).toBe(200);
    expect(current.json().warning).toMatch(/^version 1 was the current profile with an ANN: rspamd workers that loaded it keep scoring/);
    expect(await raw.zcard(seeded.zsetKey)).toBe(0);
  });
});
