import type { FastifyInstance } from 'fastify';
import { LOOKUP_MAX_BYTES } from '../../../shared/api/lookup.js';

/** Media types `POST /lookup` takes a raw message as (an EML file is message/rfc822; tools often send octets). */
export const MESSAGE_TYPES = ['message/rfc822', 'application/octet-stream'];

/** Buffers a message body up to LOOKUP_MAX_BYTES (a message with attachments is larger than the JSON limit); 413 past it. */
export function registerMessageBodyParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(MESSAGE_TYPES, { parseAs: 'buffer', bodyLimit: LOOKUP_MAX_BYTES }, (_request, body, done) => done(null, body));
}
