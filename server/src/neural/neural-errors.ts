import { ApiError } from '../common/api-error.js';
import { RedisUnavailableError } from './redis/redis-unavailable.error.js';

export const NEURAL_DISABLED_MESSAGE = 'neural features are off: FUZZYD_REDIS_URL is set empty';

/** 503 for every neural route when no Redis is configured, so the dashboard can say what to set. */
export class NeuralDisabledError extends ApiError {
  constructor() {
    super(503, NEURAL_DISABLED_MESSAGE);
  }
}

/** 503 while the configured Redis cannot be reached; the client keeps reconnecting on its own. */
export class NeuralRedisDownError extends ApiError {
  constructor(cause: RedisUnavailableError) {
    super(503, `neural: ${cause.message}; fuzzyd keeps reconnecting in the background (the fuzzy storage is not affected)`);
  }
}

/** 423: someone else holds the training lock of the set (spec/neural.md §8). */
export class NeuralLockedError extends ApiError {
  constructor(message: string) {
    super(423, message);
  }
}

/** The API error for anything a neural route throws: Redis outages become 503, the rest passes through. */
export function toNeuralApiError(err: unknown): unknown {
  return err instanceof RedisUnavailableError ? new NeuralRedisDownError(err) : err;
}
