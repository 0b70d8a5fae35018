import type { FastifyInstance } from 'fastify';

/**
 * Lets a shutdown wait for requests in flight (an import may take seconds) without also waiting for their
 * keep-alive connections to time out: once closing has begun, every response asks the client to close the
 * connection, so the server can finish as soon as the last answer is out.
 */
export function closeConnectionsAfterShutdown(fastify: FastifyInstance): void {
  let closing = false;
  fastify.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (closing && request.raw.httpVersionMajor < 2) reply.header('connection', 'close');
    done(null, payload);
  });
}
