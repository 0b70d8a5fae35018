/**
 * The training report of a real job over REST on a private Redis (#13): the per-epoch curve, class balance, the
 * held-out accuracy / ROC AUC / threshold, ROC thresholds published with `roc_enabled`, the funnel network for a rule
 * with rspamd 4.x's `layers`/`dropout` options, and rspamd 4.1.1's quality gate, reported always and enforced only
 * with FUZZYD_NEURAL_QUALITY_GATE: a degenerate model is then not published, the lock is released and the sets stay.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NeuralJob, NeuralTrainAccepted } from '../../../shared/api/neural.js';
import { profilesKey, vectorSetKey } from '../../../server/src/neural/redis/neural-keys.js';
import { buildProfile, serializeProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { unpackAnn } from '../../../server/src/neural/training/ann-envelope.js';
import { encodeVector } from '../../../server/src/neural/training/vector-codec.js';
import type { TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { readKann } from '../../helpers/kann/kann-reader.js';
import { privateRedis } from '../../helpers/private-redis.js';
import { api, seedSet, startNeuralFuzzyd, SYMBOLS, waitForJob, WIDTH } from './neural-harness.js';

const PREFIX = `rep${process.pid}`;
const TRAIN = { max_trains: 5, max_iterations: 20 };
const CONFIG = JSON.stringify({
  prefix: PREFIX,
  rules: {
    plain: { train: TRAIN, roc_enabled: true, roc_misclassification_cost: 0.5 },
    funnel: { train: TRAIN, layers: [0.5], dropout: 0.2 },
  },
});

const redis = privateRedis();
const started: TestFuzzyd[] = [];

afterAll(async () => {
  for (const f of started) await f.close();
});

async function start(env: Record<string, string> = {}) {
  const fuzzyd = await startNeuralFuzzyd({ FUZZYD_REDIS_URL: redis.url, FUZZYD_NEURAL_CONFIG: CONFIG, FUZZYD_NEURAL_AUTOTRAIN: 'false', ...env });
  started.push(fuzzyd);
  return api(fuzzyd);
}

async function train(call: Awaited<ReturnType<typeof start>>, rule: string, settings: string): Promise<NeuralJob> {
  const res = await call('POST', `/rules/${rule}/settings/${settings}/train`);
  expect(res.statusCode, res.body).toBe(202);
  return waitForJob(call, (res.json() as NeuralTrainAccepted).jobId, 60_000);
}

/**
 * A version-0 set whose rows are all zero but for a tiny distinct value in column 0 (distinct, because the sets
 * deduplicate): any network gives them all the same output to far below 1e-4, which the gate calls degenerate.
 */
async function seedConstantSet(rule: string, settings: string, perClass: number): Promise<string> {
  const profile = buildProfile({ prefix: PREFIX, rulePrefix: rule, settings }, SYMBOLS, 0);
  await redis.raw.zadd(profilesKey(PREFIX, rule, settings), Date.now() / 1000, serializeProfile(profile));
  for (const [cls, offset] of [['spam', 0], ['ham', perClass]] as const) {
    for (let i = 0; i < perClass; i++) {
      const values = new Array<number>(WIDTH).fill(0);
      values[0] = (offset + i + 1) * 1e-7;
      await redis.raw.sadd(vectorSetKey(profile.redis_key, cls), await encodeVector(values));
    }
  }
  return profile.redis_key;
}

describe('training report (GET /neural/jobs/{id})', () => {
  let call: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    call = await start();
  });

  it('reports the symbol network, the loss curve, the class balance, held-out accuracy and AUC, and publishes ROC thresholds', async () => {
    const seeded = await seedSet(redis.raw, { prefix: PREFIX, rulePrefix: 'plain', settings: 'default', nSpam: 40, nHam: 30, seed: 7 });
    const job = await train(call, 'plain', 'default');
    expect(job.state, job.error ?? '').toBe('succeeded');
    const report = job.report!;
    expect(report.network).toBe('symbol');
    expect(report.hiddenLayers).toEqual([Math.floor(WIDTH * 1.5 + 1)]);
    expect(job.history.length).toBe(job.epoch);
    expect(job.history.every((e) => e.trainCost > 0 && e.validationCost !== null)).toBe(true);
    expect(report.balance).toMatchObject({ spam: 40, ham: 30 });
    expect(report.balance.trainSpam + report.balance.validationSpam).toBe(40);
    expect(report.balance.trainHam + report.balance.validationHam).toBe(30);
    expect(report.heldOut.rows).toBe(7); // ⌊70 · 0.1⌋, kann's split
    expect(report.balance.validationSpam + report.balance.validationHam).toBe(7);
    expect(report.heldOut.accuracy).toBeGreaterThanOrEqual(6 / 7); // the rows are separable
    if (report.balance.validationSpam > 0 && report.balance.validationHam > 0) expect(report.heldOut.auc).toBeGreaterThan(0.9);
    expect(report.rocThresholds).toHaveLength(2);
    expect(report.heldOut.threshold).toBe(report.rocThresholds![0]);
    expect(report.gate).toMatchObject({ enforced: false, passed: true, reason: null });
    expect(report.gate.predictedSpam + report.gate.predictedHam).toBe(70);
    // the hash carries them as rspamd's UCL writes a Lua array of numbers
    const stored = await redis.raw.hget(job.newKey!, 'roc_thresholds');
    expect(stored).toMatch(/^\[-?\d+\.\d+,-?\d+\.\d+\]$/);
    const parsed = JSON.parse(stored!) as number[];
    parsed.forEach((v, i) => expect(v).toBeCloseTo(report.rocThresholds![i], 5));
    expect(await redis.raw.exists(`${seeded.key}_spam_set`)).toBe(0); // trained-from sets dropped as before
  });

  it('trains and publishes the funnel network for a rule with layers/dropout, without ROC thresholds', async () => {
    await seedSet(redis.raw, { prefix: PREFIX, rulePrefix: 'funnel', settings: 'default', nSpam: 30, nHam: 30, seed: 9 });
    const job = await train(call, 'funnel', 'default');
    expect(job.state, job.error ?? '').toBe('succeeded');
    expect(job.report).toMatchObject({ network: 'funnel', hiddenLayers: [32], rocThresholds: null });
    expect(job.report!.heldOut.threshold).toBe(0);
    expect(await redis.raw.hget(job.newKey!, 'roc_thresholds')).toBe('[]');
    const ann = readKann(await unpackAnn((await redis.raw.hgetBuffer(job.newKey!, 'ann'))!));
    expect(ann.graph.nodes.length).toBe(21); // dense, layer norm, GELU, dropout + select, cost layer
    expect(ann.nIn).toBe(WIDTH);
  });

  it('reports a degenerate model but publishes it when the gate is not configured (rspamd < 4.1.1 behaviour)', async () => {
    await seedConstantSet('plain', 'lax', 12);
    const job = await train(call, 'plain', 'lax');
    expect(job.state, job.error ?? '').toBe('succeeded');
    expect(job.report!.gate).toMatchObject({ enforced: false, passed: false });
    expect(job.report!.gate.reason).toMatch(/^degenerate model: constant or single-class output on the train set/);
  });
});

describe('quality gate (FUZZYD_NEURAL_QUALITY_GATE=true)', () => {
  it('refuses to publish a degenerate model: the job says why, the lock is released, the sets stay', async () => {
    const call = await start({ FUZZYD_NEURAL_QUALITY_GATE: 'true' });
    const key = await seedConstantSet('plain', 'strict', 12);
    const before = await redis.raw.zrange(profilesKey(PREFIX, 'plain', 'strict'), 0, -1);
    const job = await train(call, 'plain', 'strict');
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/^rejected ANN plain:strict: degenerate model: constant or single-class output on the train set \(output range .*; predicted spam=\d+ ham=\d+ of 24 samples\); consider lowering train\.learning_rate if this repeats$/);
    expect(job.publishedVersion).toBeNull();
    expect(job.report!.gate).toMatchObject({ enforced: true, passed: false });
    expect(job.report!.gate.outputMax - job.report!.gate.outputMin).toBeLessThan(1e-4);
    expect(await redis.raw.hget(key, 'lock')).toBeNull();
    expect(await redis.raw.scard(`${key}_spam_set`)).toBe(12);
    expect(await redis.raw.scard(`${key}_ham_set`)).toBe(12);
    expect(await redis.raw.zrange(profilesKey(PREFIX, 'plain', 'strict'), 0, -1)).toEqual(before);

    // the retry starts from a new random initialisation, as rspamd's does (the default seed would repeat the model)
    const retry = await train(call, 'plain', 'strict');
    expect(retry.state).toBe('failed');
    expect(retry.report!.gate.passed).toBe(false);
    expect(retry.report!.gate.outputMin).not.toBe(job.report!.gate.outputMin);
  });

  it('publishes a model that passes', async () => {
    const call = await start({ FUZZYD_NEURAL_QUALITY_GATE: 'true' });
    await seedSet(redis.raw, { prefix: PREFIX, rulePrefix: 'plain', settings: 'good', nSpam: 20, nHam: 20, seed: 3 });
    const job = await train(call, 'plain', 'good');
    expect(job.state, job.error ?? '').toBe('succeeded');
    expect(job.report!.gate).toMatchObject({ enforced: true, passed: true, reason: null });
  });
});
