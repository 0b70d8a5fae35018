/** Raised instead of any connection-level failure so callers (REST, trainer) can map it to one response (503). */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';

  constructor(
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`Redis at ${url} is not reachable`, options);
  }
}

/** The URL as safe to show: credentials are replaced so they never reach logs or API responses. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? '***' : '';
      parsed.password = parsed.password ? '***' : '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * Errors that mean "no usable connection" rather than "Redis answered with an error". ioredis reports them with
 * plain Error messages (offline queue disabled, closed connection, retries exhausted) or Node socket codes.
 */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'ReplyError') return false;
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'AbortError') return true;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code)) {
    return true;
  }
  return /Stream isn't writeable|Connection is closed|Reached the max retries|connect ETIMEDOUT/i.test(err.message);
}
