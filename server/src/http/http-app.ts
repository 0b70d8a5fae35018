import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import type { Runtime } from '../runtime.js';

/** Body size limit: enough for a large JSONL import chunk, small enough that a bad client cannot exhaust memory. */
export const BODY_LIMIT_BYTES = 64 * 1024 * 1024;

export async function createHttpApp(runtime: Runtime): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: false });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(runtime), adapter, { logger: false });
  return app;
}
