import { type DestinationStream, pino, type Logger } from 'pino';

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

/**
 * Logs a warning at most once per `intervalMs` per message, with how many were suppressed, so a flood of refused
 * datagrams cannot flood the log (or slow the hot path).
 */
export function rateLimitedWarn(logger: Logger, intervalMs = 10_000): (msg: string, ctx: Record<string, unknown>) => void {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (msg, ctx) => {
    const now = Date.now();
    const entry = last.get(msg);
    if (entry && now - entry.at < intervalMs) {
      entry.suppressed++;
      return;
    }
    logger.warn({ ...ctx, suppressed: entry?.suppressed ?? 0 }, msg);
    last.set(msg, { at: now, suppressed: 0 });
  };
}
