import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { AppModule } from '../app.module.js';
import { registerJsonLinesParser } from '../hashes/json-lines.parser.js';
import { registerMessageBodyParser } from '../lookup/message-body.parser.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { Runtime } from '../runtime.js';
import { registerDashboard } from './dashboard-static.js';
import { closeConnectionsAfterShutdown } from './graceful-close.js';
import { registerRequestLog } from './request-log.js';
import { setupSwagger } from './swagger.js';
import { ApiTokenService } from '../auth/api-token.service.js';
import { authenticateBeforeBody } from './auth-before-body.js';
import { clientErrorHandler, frameworkErrors, serverFactory } from './http-limits.js';
import { addSecurityHeaders } from './security-headers.js';

/**
 * Limit of buffered (JSON and text) bodies: the API's JSON bodies are small. JSON Lines imports are streamed and
 * have their own, larger limit (IMPORT_LIMITS).
 */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const logger = runtime.logger.child({ component: 'http' });
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: false,
    loggerInstance: logger,
    // One line per request comes from registerRequestLog instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // A digest in the path is 128 characters; Fastify's default (100) would answer 414 before validation could name
    // the field. Longer values reach the validators, which reject them with a 400.
    routerOptions: { maxParamLength: 1024 },
    clientErrorHandler,
    frameworkErrors,
    serverFactory,
  });
  const fastify = adapter.getInstance();
  registerJsonLinesParser(fastify);
  registerMessageBodyParser(fastify);
  closeConnectionsAfterShutdown(fastify);
  // Only JSON (and the import's JSON Lines): Nest would also parse form bodies, which no route takes.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(runtime), adapter, { logger: false, bodyParser: false });
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT_BYTES });
  authenticateBeforeBody(fastify, app.get(ApiTokenService));
  addSecurityHeaders(fastify);
  const metrics = app.get(MetricsService);
  registerRequestLog(fastify, logger, (method, route, status, seconds) => metrics.observeHttp(method, route, status, seconds));
  setupSwagger(app);
  await registerDashboard(fastify, logger);
  return app;
}
