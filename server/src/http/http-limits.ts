import { createServer, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemOf } from '../common/problem.js';

/**
 * Bounds of the HTTP server, so neither a slow client nor many of them can hold its memory or its sockets:
 * - headers must arrive within 10 s (Node's default is 60 s);
 * - a whole request within 10 min: an import of a million lines takes about a minute, a body trickling in one byte
 *   every few seconds is cut;
 * - an idle keep-alive connection goes after 5 s; at most 1024 connections are open.
 * Bodies are never read before the bearer token is checked (auth-before-body.ts).
 */
export const HTTP_LIMITS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 600_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
};

/**
 * The HTTP server with those bounds. Node checks the header and request timeouts only every
 * `connectionsCheckingInterval` (30 s by default), so it is set to a second.
 */
export const serverFactory: NonNullable<FastifyServerOptions['serverFactory']> = (handler) => {
  const server = createServer(
    {
      connectionsCheckingInterval: 1000,
      headersTimeout: HTTP_LIMITS.headersTimeoutMs,
      requestTimeout: HTTP_LIMITS.requestTimeoutMs,
      keepAliveTimeout: HTTP_LIMITS.keepAliveTimeoutMs,
    },
    handler,
  );
  server.maxConnections = HTTP_LIMITS.maxConnections;
  return server;
};

/**
 * Errors Node's HTTP parser raises (headers too large: 431, malformed requests: 400) never reach a route; Fastify
 * answers them with plain JSON of its own. Here they are problem+json like every other error.
 */
export const clientErrorHandler: NonNullable<FastifyServerOptions['clientErrorHandler']> = (err, socket: Socket) => {
  const code = (err as Error & { code?: string }).code;
  const status = code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431 ? 'headers: larger than the server accepts' : status === 408 ? 'request: not received in time' : 'request: malformed HTTP';
  if (socket.writable) {
    const body = JSON.stringify(problemOf(status, detail, ''));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
};

/** Fastify's own routing errors (a malformed URL, an unsupported method), as problem+json too. */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (err, request, reply) => {
  const status = typeof (err as { statusCode?: number }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 400;
  const detail = (err as { code?: string }).code === 'FST_ERR_BAD_URL' ? 'url: not a valid URL (bad percent-encoding?)' : err.message;
  const r = reply as unknown as { status(s: number): typeof r; header(n: string, v: string): typeof r; send(b: string): unknown };
  void r.status(status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemOf(status, detail, request.url.split('?')[0])));
};
