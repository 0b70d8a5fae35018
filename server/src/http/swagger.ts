import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ProblemDto } from '../common/api-docs.js';

/** Swagger UI at /docs and the OpenAPI document at /docs-json (public: the API itself needs a token). */
export function setupSwagger(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('fuzzyd admin API')
    .setDescription(
      'Manage the hashes, flags and UDP access maps of an rspamd-compatible fuzzy storage. Every /api route needs ' +
        '`Authorization: Bearer <token>` (scopes read ⊂ write ⊂ admin); errors are application/problem+json.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] });
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}
