import type { FastifyInstance } from 'fastify';
import type { ApiTokenService } from '../auth/api-token.service.js';
import { bearerToken } from '../auth/token-secret.js';
import { PROBLEM_CONTENT_TYPE, problemOf } from '../common/problem.js';

/**
 * Fastify reads and parses a request body before any route handler (and Nest's guard) runs, so an unauthenticated
 * client could make fuzzyd buffer 1 MB bodies by the hundred, or hold connections open sending one byte at a time.
 * API requests that carry a body are checked here, as soon as their headers are in: without a valid bearer token
 * they get their 401 at once and the connection is closed, the body unread. Scopes are still the guard's job.
 */
export function authenticateBeforeBody(fastify: FastifyInstance, tokens: ApiTokenService): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const hasBody = request.headers['content-length'] !== undefined ? request.headers['content-length'] !== '0' : request.headers['transfer-encoding'] !== undefined;
    if (!hasBody || !/^\/api(\/|$|\?)/.test(request.url)) return done();
    const secret = bearerToken(request.headers.authorization);
    if (secret && tokens.authenticate(secret)) return done();
    const detail = secret ? 'authorization: the bearer token is not valid' : 'authorization: a bearer token is required (Authorization: Bearer <token>)';
    void reply
      .status(401)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .header('www-authenticate', 'Bearer realm="fuzzyd"')
      .header('connection', 'close')
      .send(JSON.stringify(problemOf(401, detail, request.url.split('?')[0])));
  });
}
