/**
 * `max_inputs` (PCA) is trained only when FUZZYD_NEURAL_PCA says the consuming rspamd has BLAS: Debian's rspamd
 * drops max_inputs, loads the reduced ANN and then fails every scan ("bad input dimension"), so fuzzyd refuses
 * instead of publishing an ANN that rspamd cannot run (#13).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { NeuralTrainAccepted } from '../../../shared/api/neural.js';
import type { TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { privateRedis } from '../../helpers/private-redis.js';
import { api, seedSet, startNeuralFuzzyd, waitForJob } from './neural-harness.js';

const PREFIX = `pca${process.pid}`;
const CONFIG = JSON.stringify({ prefix: PREFIX, rules: { reduced: { max_inputs: 8, train: { max_trains: 5, max_iterations: 5 } } } });

const redis = privateRedis();
const started: TestFuzzyd[] = [];

afterAll(async () => {
  for (const f of started) await f.close();
});

async function trainOnce(env: Record<string, string>, settings: string) {
  const fuzzyd = await startNeuralFuzzyd({ FUZZYD_REDIS_URL: redis.url, FUZZYD_NEURAL_CONFIG: CONFIG, FUZZYD_NEURAL_AUTOTRAIN: 'false', ...env });
  started.push(fuzzyd);
  const seeded = await seedSet(redis.raw, { prefix: PREFIX, rulePrefix: 'reduced', settings, nSpam: 12, nHam: 12 });
  const call = api(fuzzyd);
  const res = await call('POST', `/rules/reduced/settings/${settings}/train`);
  expect(res.statusCode, res.body).toBe(202);
  return { job: await waitForJob(call, (res.json() as NeuralTrainAccepted).jobId), seeded };
}

describe('PCA guard (FUZZYD_NEURAL_PCA)', () => {
  it('refuses a rule with max_inputs by default, says why, and leaves the set as it was', async () => {
    const { job, seeded } = await trainOnce({}, 'plain');
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/rule reduced sets max_inputs \(PCA\).*without BLAS.*FUZZYD_NEURAL_PCA=true/);
    expect(await redis.raw.hget(seeded.key, 'lock')).toBeNull();
    expect(await redis.raw.scard(`${seeded.key}_spam_set`)).toBe(12);
  });

  it('trains and publishes the PCA matrix when the target rspamd has BLAS', async () => {
    const { job } = await trainOnce({ FUZZYD_NEURAL_PCA: 'true' }, 'blas');
    expect(job.state, job.error ?? '').toBe('succeeded');
    expect(job.nInputs).toBe(8);
    expect(await redis.raw.hexists(job.newKey!, 'pca')).toBe(1);
  });
});
