import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect } from 'vitest';
import type { NeuralSetItem, NeuralVectorPushResult } from '../../shared/api/neural.js';
import { api, sleep, startNeuralFuzzyd } from '../e2e/neural/neural-harness.js';
import type { TestFuzzyd } from './in-process-fuzzyd.js';
import { startRedisServer, type TestRedis } from './redis-server.js';
import type { RspamdGeneration } from './rspamd-generation.js';
import { type NeuralRspamd, startNeuralRspamd } from './rspamd-neural.js';

/**
 * What the neural interop suites share (test/interop/neural): a private Redis, a real rspamd whose neural rule
 * collects vectors there, and fuzzyd managing the same data over its REST API; and the scans and pushes that feed a
 * set one distinct row at a time.
 */
export interface NeuralInterop {
  readonly redis: TestRedis;
  /** A plain client on that Redis, to read what rspamd and fuzzyd wrote. */
  readonly raw: Redis;
  readonly rspamd: NeuralRspamd;
  readonly fuzzyd: TestFuzzyd;
  /** fuzzyd's `/api/v1/neural` API. */
  readonly call: ReturnType<typeof api>;
}

export interface NeuralInteropOptions {
  /** Which rspamd; the host's 3.4 by default. */
  generation?: RspamdGeneration;
  /** rspamd's neural rule body (startNeuralRspamd). */
  rule: string;
  /** fuzzyd's environment besides FUZZYD_REDIS_URL. */
  fuzzydEnv: Record<string, string>;
}

/** Call at the top of the file: everything is started in beforeAll (nothing when `available` is false) and stopped after the file. */
export function neuralInterop(available: boolean, options: NeuralInteropOptions): NeuralInterop {
  let redis: TestRedis | undefined;
  let raw: Redis | undefined;
  let rspamd: NeuralRspamd | undefined;
  let fuzzyd: TestFuzzyd | undefined;
  let call: ReturnType<typeof api> | undefined;
  beforeAll(async () => {
    if (!available) return;
    redis = await startRedisServer();
    raw = new Redis(redis.url);
    rspamd = await startNeuralRspamd({ generation: options.generation, redis: `127.0.0.1:${redis.port}`, rule: options.rule });
    fuzzyd = await startNeuralFuzzyd({ FUZZYD_REDIS_URL: redis.url, ...options.fuzzydEnv });
    call = api(fuzzyd);
  });
  afterAll(async () => {
    await fuzzyd?.close();
    await rspamd?.stop();
    await raw?.quit();
    await redis?.stop();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`neuralInterop: ${what} is not started (use it inside a test)`);
    return value;
  };
  return {
    get redis() {
      return started(redis, 'Redis');
    },
    get raw() {
      return started(raw, 'Redis');
    },
    get rspamd() {
      return started(rspamd, 'rspamd');
    },
    get fuzzyd() {
      return started(fuzzyd, 'fuzzyd');
    },
    get call() {
      return started(call, 'fuzzyd');
    },
  };
}

/**
 * rspamd's per-scan settings: symbols 1–3 and `fourth` of the class fire, so every `fourth` makes a distinct row (the
 * sets deduplicate); with `score` the neural group scores the scan and NEURAL_LEARN stores nothing.
 */
export function classSettings(cls: 'SPAM' | 'HAM', fourth: number, score = false): string {
  const enabled = [1, 2, 3, fourth].map((i) => `"${cls}_SYMBOL${i}"`).join(', ');
  const scoring = score ? ' groups_enabled = ["neural"]; symbols_disabled = ["NEURAL_LEARN"];' : '';
  return `{symbols_enabled = [${enabled}];${scoring}}`;
}

/** The rule `default`'s settings `default` as fuzzyd lists it. */
export async function defaultSet(call: ReturnType<typeof api>): Promise<NeuralSetItem> {
  const res = await call('GET', '/rules/default/settings/default');
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** That set once it holds `spam` and `ham` rows, or as it is after 5 s (rspamd stores a scan's row after replying). */
export async function waitForCounts(call: ReturnType<typeof api>, spam: number, ham: number): Promise<NeuralSetItem> {
  let set = await defaultSet(call);
  const deadline = Date.now() + 5000;
  while ((set.vectors.spam < spam || set.vectors.ham < ham) && Date.now() < deadline) {
    await sleep(100);
    set = await defaultSet(call);
  }
  return set;
}

/** Pushes one spam and one ham row for each fourth symbol first..first+count-1 over fuzzyd's API, each stored. */
export async function pushClassRows(call: ReturnType<typeof api>, rowFor: (cls: 'SPAM' | 'HAM', fourth: number) => number[], first: number, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    for (const [cls, name] of [['spam', 'SPAM'], ['ham', 'HAM']] as const) {
      const res = await call('POST', '/rules/default/settings/default/vectors', { body: { class: cls, values: rowFor(name, first + i) } });
      expect(res.statusCode, res.body).toBe(200);
      expect((res.json() as NeuralVectorPushResult).stored, res.body).toBe(true);
    }
  }
}

/** A row like rspamd's for this message (its `metatokens`) with the class's symbols 1–3 and `fourth` fired. */
export function classRow(metatokens: number[], symbols: readonly string[]): (cls: 'SPAM' | 'HAM', fourth: number) => number[] {
  return (cls, fourth) => {
    const fired = new Set([1, 2, 3, fourth].map((i) => `${cls}_SYMBOL${i}`));
    return [...metatokens, ...symbols.map((s) => (fired.has(s) ? 1 : 0))];
  };
}

/**
 * Scans the message as spam and as ham with the neural group scoring (classSettings with `score`): the network must
 * say NEURAL_SPAM (> 0.5) for the one and NEURAL_HAM (< −0.5) for the other. Returns NEURAL_SPAM's score.
 */
export async function expectNeuralVerdicts(rspamd: NeuralRspamd, message: string, fourth: number): Promise<number> {
  const spam = await rspamd.scan(message, classSettings('SPAM', fourth, true));
  expect(Object.keys(spam.symbols), JSON.stringify(spam.symbols)).toContain('NEURAL_SPAM');
  expect(spam.symbols).not.toHaveProperty('NEURAL_HAM');
  const spamScore = Number(spam.symbols.NEURAL_SPAM.options?.[0]);
  expect(spamScore).toBeGreaterThan(0.5);

  const ham = await rspamd.scan(message, classSettings('HAM', fourth, true));
  expect(Object.keys(ham.symbols), JSON.stringify(ham.symbols)).toContain('NEURAL_HAM');
  expect(ham.symbols).not.toHaveProperty('NEURAL_SPAM');
  expect(Number(ham.symbols.NEURAL_HAM.options?.[0])).toBeLessThan(-0.5);
  return spamScore;
}
