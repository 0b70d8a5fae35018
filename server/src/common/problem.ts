import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { Problem } from '../../../shared/api/api-types.js';
import { StoreOverloadedError, StoreUnavailableError } from '../fuzzy/fuzzy-backend.js';
import { ApiError } from './api-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The RFC 9457 body fuzzyd sends for every error, from the route layer or from before it. */
export function problemOf(status: number, detail: string, instance: string): Problem {
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, instance };
}

/** What Fastify attaches to the errors it raises itself (body parsing, content types, limits). */
interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

const FASTIFY_MESSAGES: Record<string, (err: FastifyLikeError) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'body: request body is larger than the limit',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => 'content-type: unsupported media type (send application/json)',
  FST_ERR_CTP_EMPTY_JSON_BODY: () => 'body: a JSON body is required when content-type is application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'content-length: does not match the body',
  FST_ERR_CTP_INVALID_JSON_BODY: () => 'body: not valid JSON',
};

/**
 * Turns any error into RFC 9457 problem details. Only errors that describe the client's mistake (4xx) keep their
 * message; a 5xx says nothing about internals, and `internal` is set so the caller logs it.
 */
export function toProblem(err: unknown, instance: string): { problem: Problem; internal: boolean; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  let status = 500;
  let detail = 'internal error';
  let field: string | undefined;
  // Nest wraps Fastify's own 4xx errors in an HttpException whose cause is the original.
  const source = err instanceof HttpException && isFastifyClientError(err.cause) ? err.cause : err;

  if (source instanceof ApiError) {
    status = source.status;
    detail = source.message;
    field = source.field;
  } else if (source instanceof StoreUnavailableError || source instanceof StoreOverloadedError) {
    // Said plainly: the admin must know the store is the problem, and that it is not their request.
    status = 503;
    detail = source.message;
  } else if (isFastifyClientError(source)) {
    status = source.statusCode!;
    const describe = source.code ? FASTIFY_MESSAGES[source.code] : undefined;
    detail = describe ? describe(source) : source.message || (STATUS_CODES[status] ?? 'error');
    if (source.code?.startsWith('FST_ERR_CTP_') && source.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') field = 'body';
    if (source.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') field = 'content-type';
  } else if (source instanceof HttpException) {
    status = source.getStatus();
    detail = httpExceptionMessage(source);
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="fuzzyd"';
  const problem = problemOf(status, detail, instance);
  if (field) problem.field = field;
  if (status === 503) headers['retry-after'] = '5';
  return { problem, internal: status >= 500 && status !== 503, headers };
}

function isFastifyClientError(err: unknown): err is FastifyLikeError {
  if (typeof err !== 'object' || err === null) return false;
  const status = (err as FastifyLikeError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function httpExceptionMessage(err: HttpException): string {
  const body = err.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return err.message;
}
