import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { apiComponents } from '../common/api-schemas.js';

/** Swagger UI at /docs and the OpenAPI document at /docs-json (public: the API itself needs a token). */
export function setupSwagger(app: NestFastifyApplication): void {
  const config = new DocumentBuilder()
    .setTitle('fuzzyd admin API')
    .setDescription(
      'Manage the hashes, flags and UDP access maps of an rspamd-compatible fuzzy storage. Every /api route needs ' +
        '`Authorization: Bearer <token>` (scopes read ⊂ write ⊂ admin); errors are application/problem+json.',
    )
    .setVersion('1')
    // 3.1: the shared/api schemas are JSON Schema as TypeBox writes it (`type: 'null'` in unions, not `nullable`).
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...apiComponents() } };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', raw: ['json'] });
}
