import type { FastifyInstance } from 'fastify';

/**
 * Every response tells browsers what the dashboard needs and nothing more: its own scripts, styles (React sets style
 * attributes, so inline styles), images and API calls; no framing by other sites (clickjacking); no MIME sniffing;
 * no referrer leaking digests in URLs to other sites. Swagger UI at /docs is served by fuzzyd too and fits the same
 * policy.
 */
const HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function addSecurityHeaders(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    for (const [name, value] of Object.entries(HEADERS)) if (!reply.hasHeader(name)) reply.header(name, value);
    done(null, payload);
  });
}
