import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import type { NeuralJob } from '../../../shared/api/neural.js';
import { annKey, profilesKey, vectorSetKey, type VectorClass } from '../../../server/src/neural/redis/neural-keys.js';
import { layoutOf, type NeuralGeneration } from '../../../server/src/neural/redis/neural-layout.js';
import { buildProfile, serializeProfile, type NeuralProfile } from '../../../server/src/neural/redis/profile-codec.js';
import { encodeVector } from '../../../server/src/neural/training/vector-codec.js';
import { ensureCompiledTraining } from '../../unit/neural/training/compiled-worker.js';
import { startTestFuzzyd, type TestFuzzyd } from '../../helpers/in-process-fuzzyd.js';

export { TEST_ADMIN_TOKEN as TOKEN } from '../../helpers/in-process-fuzzyd.js';

/** Our own test symbols: three that mark spam, three that mark ham (sorted: HAM_* first). */
export const SYMBOLS = ['HAM_CALM', 'HAM_KNOWN_SENDER', 'HAM_REPLY', 'SPAM_BITCOIN', 'SPAM_SHOUTING', 'SPAM_URGENT'];
export const WIDTH = 26 + SYMBOLS.length;

/** fuzzyd in this process (test/helpers/in-process-fuzzyd.ts), with the trainer's worker compiled. */
export async function startNeuralFuzzyd(env: Record<string, string>): Promise<TestFuzzyd> {
  ensureCompiledTraining();
  return startTestFuzzyd(env);
}

export interface Call {
  token?: string | null;
  body?: unknown;
}

export function api(fuzzyd: TestFuzzyd) {
  return (method: string, url: string, call: Call = {}): Promise<LightMyRequestResponse> => fuzzyd.request(method, `/api/v1/neural${url}`, call);
}

export async function waitForJob(
  call: ReturnType<typeof api>,
  id: string,
  timeoutMs = 20_000,
): Promise<NeuralJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call('GET', `/jobs/${id}`);
    if (res.statusCode !== 200) throw new Error(`GET job: ${res.statusCode} ${res.body}`);
    const job = res.json() as NeuralJob;
    if (job.state === 'succeeded' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.state} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The job list once a job has succeeded (the automatic trigger starts jobs on its own), or as it is after `timeoutMs`. */
export async function jobsOnceOneSucceeded(call: ReturnType<typeof api>, timeoutMs = 10_000): Promise<NeuralJob[]> {
  const deadline = Date.now() + timeoutMs;
  let jobs: NeuralJob[] = [];
  while (Date.now() < deadline) {
    jobs = (await call('GET', '/jobs')).json();
    if (jobs.some((j) => j.state === 'succeeded')) break;
    await sleep(100);
  }
  return jobs;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Deterministic pseudo-random numbers in [0, 1), so a failure can be replayed. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Metatokens of a typical small text message (26 in 3.4, 46 in 4.x); rows only jitter around them, like one site's mail. */
const baseMeta = (count: number): number[] => Array.from({ length: count }, (_, i) => ((i * 7919) % 13) / 13);

/**
 * A separable row: near-identical metatokens, then the spam symbols fire (values in [0.1, 1], spec §5.1) for spam and
 * the ham symbols for ham, with one symbol of the other class now and then as noise.
 */
export function row(cls: VectorClass, rnd: () => number, symbols: readonly string[] = SYMBOLS, metatokens = 26): number[] {
  const meta = baseMeta(metatokens).map((m) => Math.round(Math.max(0, m + (rnd() - 0.5) * 0.1) * 1000) / 1000);
  const own = cls === 'spam' ? 'SPAM_' : 'HAM_';
  const values = symbols.map((s) => {
    if (s.startsWith(own)) return rnd() < 0.8 ? 0.1 + Math.round(rnd() * 900) / 1000 : 0;
    return rnd() < 0.1 ? 0.1 : 0;
  });
  return [...meta, ...values];
}

export interface SeededSet {
  zsetKey: string;
  profile: NeuralProfile;
  key: string;
}

/** A version-`version` profile as rspamd's scanner (v0) or trainer (v ≥ 1) writes it, with `nSpam`/`nHam` vectors. */
export async function seedSet(
  redis: Redis,
  opts: {
    prefix: string; rulePrefix: string; settings: string; version?: number; nSpam: number; nHam: number; seed?: number; score?: number;
    /** Whose layout: the zset name and the row width (default 3.4). */
    generation?: NeuralGeneration;
    /** The profile's symbols (default SYMBOLS); the spam ones start with SPAM_, the ham ones with HAM_. */
    symbols?: readonly string[];
  },
): Promise<SeededSet> {
  const version = opts.version ?? 0;
  const layout = layoutOf(opts.generation ?? '3.4');
  const target = { prefix: opts.prefix, rulePrefix: opts.rulePrefix, settings: opts.settings };
  const symbols = opts.symbols ?? SYMBOLS;
  const profile = buildProfile(target, symbols, version);
  const zsetKey = profilesKey(opts.prefix, opts.rulePrefix, opts.settings, layout);
  await redis.zadd(zsetKey, opts.score ?? Date.now() / 1000, serializeProfile(profile));
  const rnd = lcg(opts.seed ?? 1);
  for (const [cls, n] of [['spam', opts.nSpam], ['ham', opts.nHam]] as const) {
    for (let i = 0; i < n; i++) await redis.sadd(vectorSetKey(profile.redis_key, cls), await encodeVector(row(cls, rnd, profile.symbols, layout.metatokens)));
  }
  if (profile.redis_key !== annKey(opts.prefix, opts.rulePrefix, opts.settings, profile.digest, version)) {
    throw new Error('key layout changed');
  }
  return { zsetKey, profile, key: profile.redis_key };
}
