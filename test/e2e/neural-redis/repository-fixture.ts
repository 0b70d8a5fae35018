import { afterAll, beforeAll } from 'vitest';
import { type NeuralConfig, parseNeuralConfig } from '../../../server/src/neural/neural-config.js';
import { createNeuralRedis } from '../../../server/src/neural/redis/neural-redis.client.js';
import { NeuralRedisRepository } from '../../../server/src/neural/redis/neural-redis.repository.js';
import type { PrivateRedis } from '../../helpers/private-redis.js';

export interface FreshRepository {
  prefix: string;
  config: NeuralConfig;
  repo: NeuralRedisRepository;
}

/**
 * Call at the top of a repository test file, after privateRedis(): fuzzyd's neural Redis client on that Redis for
 * the whole file, and `fresh()` for a repository under a module prefix of its own (`tag`, pid, counter), configured
 * by `configFor(prefix)`. A fresh prefix per test keeps tests independent (also on a shared FUZZYD_TEST_REDIS_URL).
 */
export function neuralRepositories(redis: PrivateRedis, tag: string, configFor: (prefix: string) => unknown): { fresh(): FreshRepository } {
  let client: ReturnType<typeof createNeuralRedis> | undefined;
  let n = 0;
  beforeAll(() => {
    client = createNeuralRedis(redis.url);
  });
  afterAll(async () => {
    await client?.quit();
  });
  return {
    fresh: () => {
      if (!client) throw new Error('neuralRepositories: the client is not open yet (use it inside a hook or test)');
      const prefix = `${tag}${process.pid}x${++n}`;
      const config = parseNeuralConfig(configFor(prefix));
      return { prefix, config, repo: new NeuralRedisRepository(client, config) };
    },
  };
}
