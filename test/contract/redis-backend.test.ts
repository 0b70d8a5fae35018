import { afterAll, beforeAll } from 'vitest';
import { RedisBackend } from '../../server/src/fuzzy/redis/redis-backend.js';
import { startRedisServer, type TestRedis } from '../helpers/redis-server.js';
import { describeFuzzyBackendContract } from './fuzzy-backend.contract.js';

// A private redis-server (or FUZZYD_TEST_REDIS_URL's); each store is a key prefix of its own.
let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis.stop();
});

describeFuzzyBackendContract('Redis', {
  open: (name, { expireSeconds }) => RedisBackend.open({ address: redis.url, prefix: `contract_${name}_`, expireSeconds }),
});
