import type { OnApplicationShutdown } from '@nestjs/common';
import { type Logger, rateLimitedWarn } from '../common/logger.js';
import { within } from '../common/within.js';
import type { NeuralSettings } from './neural-options.js';
import { createNeuralRedis, guardRedis } from './redis/neural-redis.client.js';
import { NeuralRedisRepository } from './redis/neural-redis.repository.js';
import type { NeuralRedisClient } from './redis/neural-scripts.js';
import { redactRedisUrl } from './redis/redis-unavailable.error.js';

/** DI token of the NeuralConnection; its value is null when FUZZYD_REDIS_URL is not set. */
export const NEURAL_CONNECTION = Symbol('NEURAL_CONNECTION');

/**
 * The one Redis client of the neural module and the settings it serves. The client connects lazily on first use and
 * then reconnects forever in the background, so fuzzyd starts (and the fuzzy plane runs) whether or not Redis is up.
 */
export class NeuralConnection implements OnApplicationShutdown {
  readonly client: NeuralRedisClient;
  readonly repo: NeuralRedisRepository;

  constructor(
    readonly url: string,
    readonly settings: NeuralSettings,
    logger: Logger,
  ) {
    const warn = rateLimitedWarn(logger, 60_000);
    this.client = createNeuralRedis(url, {
      onError: (err) => warn('neural: Redis connection error (reconnecting)', { redis: redactRedisUrl(url), err: err.message }),
    });
    this.repo = new NeuralRedisRepository(this.client, settings.config);
  }

  /**
   * Whether this client (the one the neural routes and trainings use) answers a PING within `timeoutMs`; /health
   * reports it. Between reconnect attempts it fails at once with the client's state.
   */
  async ping(timeoutMs = 1000): Promise<{ ok: boolean; detail: string }> {
    try {
      const ping = guardRedis(this.client, redactRedisUrl(this.url), () => this.client.ping(), timeoutMs);
      const pong = await within(ping, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
      return { ok: pong === 'PONG', detail: pong };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  /** Runs after every module's onModuleDestroy, so running trainings could still unlock their sets. */
  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
