import type { AppConfig } from '../config/app-config.js';
import type { Logger } from '../common/logger.js';
import type { FuzzyBackend } from './fuzzy-backend.js';
import type { AuditRow } from '../audit/audit-row.js';
import { RedisBackend } from './redis/redis-backend.js';
import { SqliteBackend } from './sqlite/sqlite-backend.js';

/** Opens the configured store: the embedded SQLite file, or a Redis shared with other instances. */
export async function openBackend(config: AppConfig, logger: Logger, audit?: (row: AuditRow) => void): Promise<FuzzyBackend> {
  if (config.backend === 'redis') {
    const backend = await RedisBackend.open({
      url: config.redis!.url,
      prefix: config.redisPrefix,
      expireSeconds: config.expireSeconds,
      onError: (err) => logger.warn({ err: err.message }, 'fuzzy Redis error'),
      // The SQLite writer records its updates' rows itself, in their transaction; Redis hands them to the audit log.
      audit,
    });
    logger.info({ prefix: config.redisPrefix }, 'store: Redis');
    return backend;
  }
  const backend = await SqliteBackend.open({
    dbPath: config.dbPath,
    durability: config.durability,
    expireSeconds: config.expireSeconds,
    maxQueuedUpdates: config.writeQueueMax,
    log: (message) => logger.info({ db: config.dbPath }, message),
  });
  if (!backend.indexComplete) logger.info({ db: config.dbPath }, 'store opened: building the index in the background, CHECKs answered from the tables meanwhile');
  backend.indexed.then(
    (loadStats) => logger.info({ db: config.dbPath, ...loadStats }, 'store loaded'),
    (err: Error) => logger.error({ db: config.dbPath, err: err.message }, 'store: the index could not be built; CHECKs stay answered from the tables'),
  );
  void backend.integrity?.finished.then((result) => {
    if (result.state === 'ok') logger.info({ db: config.dbPath, ms: result.ms }, 'store: quick_check ok');
    else if (result.state === 'corrupt') {
      logger.error({ db: config.dbPath, problems: result.problems }, 'store: the file is damaged (quick_check); restore it from a backup or export what is readable');
    }
  });
  return backend;
}
