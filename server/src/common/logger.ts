import { type DestinationStream, pino, type Logger } from 'pino';
import { rateLimited } from './rate-limited.js';

export type { Logger };

/** JSON logs on stdout. Authorization headers and token fields are redacted wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'fuzzyd' },
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', '*.token', 'token', '*.secret', 'adminToken'],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Logs a warning at most once per `intervalMs` per message, with how many were suppressed (rate-limited.ts). */
export function rateLimitedWarn(logger: Logger, intervalMs = 10_000): (msg: string, ctx: Record<string, unknown>) => void {
  return rateLimited((msg, ctx) => logger.warn(ctx, msg), intervalMs);
}
