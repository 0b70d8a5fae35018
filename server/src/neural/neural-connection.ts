import type { OnApplicationShutdown } from '@nestjs/common';
import { type Logger, rateLimitedWarn } from '../common/logger.js';
import { connectedServer } from '../common/redis-client.js';
import { within } from '../common/within.js';
import type { RedisAddress } from '../config/app-config.js';
import type { NeuralSettings } from './neural-options.js';
import { createNeuralRedis, guardRedis } from './redis/neural-redis.client.js';
import { NeuralRedisRepository } from './redis/neural-redis.repository.js';
import type { NeuralRedisClient } from './redis/neural-scripts.js';
import { redactRedisUrl } from './redis/redis-unavailable.error.js';

/** DI token of the NeuralConnection; its value is null when FUZZYD_REDIS_URL is set empty. */
export const NEURAL_CONNECTION = Symbol('NEURAL_CONNECTION');

/**
 * The one Redis client of the neural module and the settings it serves. The client connects lazily on first use and
 * then reconnects forever in the background, so fuzzyd starts (and the fuzzy plane runs) whether or not Redis is up.
 */
export class NeuralConnection implements OnApplicationShutdown {
  readonly client: NeuralRedisClient;
  readonly repo: NeuralRedisRepository;

  constructor(
    readonly address: RedisAddress,
    readonly settings: NeuralSettings,
    logger: Logger,
  ) {
    const redis = redactRedisUrl(address.url);
    // A Redis an admin configured and lost is worth a warning a minute; none at the default address is a state (the
    // neural routes and /health say "not reachable"), told once, not a fault to repeat in the log all day.
    const warn = address.configured ? rateLimitedWarn(logger, 60_000) : onceThenDebug(logger, 'neural: no Redis answers at the default address; neural pages stay off until one does (FUZZYD_REDIS_URL)');
    this.client = createNeuralRedis(address, {
      onError: (err) => warn('neural: Redis connection error (reconnecting)', { redis, err: err.message }),
    });
    this.repo = new NeuralRedisRepository(this.client, settings.config);
  }

  /**
   * Whether this client (the one the neural routes and trainings use) answers a PING within `timeoutMs`; /health
   * reports it. Between reconnect attempts it fails at once with the client's state.
   */
  async ping(timeoutMs = 1000): Promise<{ ok: boolean; detail: string }> {
    try {
      const ping = guardRedis(this.client, redactRedisUrl(this.address.url), () => this.client.ping(), timeoutMs);
      const pong = await within(ping, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
      return { ok: pong === 'PONG', detail: pong };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }

  /** The primary this client talks to, as /health lists it beside the fuzzy store's servers. */
  server(reachable: boolean): { role: 'primary'; address: string; reachable: boolean; via: string } {
    const t = this.address.topology;
    const address = connectedServer(this.client) ?? redactRedisUrl(this.address.url);
    return { role: 'primary', address, reachable, via: t.kind === 'sentinel' ? `sentinel ${t.masterName}` : 'configured' };
  }

  /** Runs after every module's onModuleDestroy, so running trainings could still unlock their sets. */
  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}

/** A sink that logs its first message at info with `first` as the text, and everything after at debug. */
function onceThenDebug(logger: Logger, first: string): (msg: string, ctx: Record<string, unknown>) => void {
  let told = false;
  return (msg, ctx) => {
    if (told) return logger.debug(ctx, msg);
    told = true;
    logger.info(ctx, first);
  };
}
