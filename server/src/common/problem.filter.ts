import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LOGGER } from '../runtime.js';
import type { Logger } from './logger.js';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';

/**
 * The one place where errors become HTTP answers: every error leaves as problem+json, including Fastify's own (bad
 * JSON, body limits, media types), which Nest routes through its exception layer, and unknown routes (404).
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    sendProblem(err, request, reply, this.logger);
  }
}

function sendProblem(err: unknown, request: FastifyRequest, reply: FastifyReply, logger: Logger): void {
  const { problem, internal, headers } = toProblem(err, request.url.split('?')[0]);
  if (internal) logger.error({ err, method: request.method, url: request.url }, 'request failed');
  if (reply.sent) return;
  reply.status(problem.status).headers(headers).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}
