import type { AppConfig } from '../config/app-config.js';
import type { Logger } from '../common/logger.js';
import type { FuzzyBackend } from './fuzzy-backend.js';
import { RedisBackend } from './redis/redis-backend.js';
import { SqliteBackend } from './sqlite/sqlite-backend.js';

/** Opens the configured store: the embedded SQLite file, or a Redis shared with other instances. */
export async function openBackend(config: AppConfig, logger: Logger): Promise<FuzzyBackend> {
  if (config.backend === 'redis') {
    const backend = await RedisBackend.open({
      url: config.redisUrl!,
      prefix: config.redisPrefix,
      expireSeconds: config.expireSeconds,
      onError: (err) => logger.warn({ err: err.message }, 'fuzzy Redis error'),
    });
    logger.info({ prefix: config.redisPrefix }, 'store: Redis');
    return backend;
  }
  const backend = await SqliteBackend.open({
    dbPath: config.dbPath,
    durability: config.durability,
    expireSeconds: config.expireSeconds,
    maxQueuedUpdates: config.writeQueueMax,
  });
  logger.info({ db: config.dbPath, ...backend.loadStats }, 'store loaded');
  return backend;
}
