import type { FastifyInstance } from 'fastify';
import { requestToken } from '../auth/api-auth.guard.js';
import type { Logger } from '../common/logger.js';

/** Routes polled by machines: logged at debug level so they do not drown the rest. */
const QUIET_ROUTES = new Set(['/health', '/metrics']);

/**
 * One JSON line per answered request (Fastify's own two lines per request are turned off). Headers are never
 * logged, so neither is the Authorization header; the token is identified by its id only.
 */
export function registerRequestLog(
  fastify: FastifyInstance,
  logger: Logger,
  observe: (method: string, route: string, status: number, seconds: number) => void,
): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions?.url ?? 'unmatched';
    const ms = reply.elapsedTime;
    observe(request.method, route, reply.statusCode, ms / 1000);
    const entry = {
      reqId: request.id,
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(ms * 100) / 100,
      remote: request.ip,
      tokenId: requestToken(request)?.id,
    };
    if (QUIET_ROUTES.has(route)) logger.debug(entry, 'http request');
    else logger.info(entry, 'http request');
    done();
  });
}
