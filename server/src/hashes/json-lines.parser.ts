import type { FastifyInstance } from 'fastify';

/** Media types accepted by `POST /hashes/import` (there is no registered one; these are the ones in use). */
export const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-lines', 'application/x-jsonlines'];

/**
 * Hands JSON Lines bodies to the route as the raw request stream instead of buffering them: the import reads it line
 * by line, and enforces its own size limit, which is larger than the one for JSON bodies.
 */
export function registerJsonLinesParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(JSON_LINES_TYPES, (_request, payload, done) => done(null, payload));
}
