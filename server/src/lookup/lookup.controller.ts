import { Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { LOOKUP_MAX_BYTES, LookupQuery, LookupResult } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { UnsupportedMediaTypeError } from '../common/api-error.js';
import { ApiQueries, schemaRef } from '../common/api-schemas.js';
import { checkQuery } from '../common/schema-input.js';
import { LookupService } from './lookup.service.js';
import { MESSAGE_TYPES } from './message-body.parser.js';

@ApiTags('lookup')
@Controller(`${API_V1}/lookup`)
export class LookupController {
  constructor(private readonly lookups: LookupService) {}

  @Post()
  @RequireScope('read')
  @HttpCode(200)
  @ApiConsumes(...MESSAGE_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary', description: `A raw message (EML), at most ${LOOKUP_MAX_BYTES} bytes` } })
  @ApiQueries(LookupQuery)
  @ApiOkResponse({ schema: schemaRef(LookupResult), description: 'Per fuzzy rule and part: its digest, the stored hash with it, the stored hashes its shingles hit' })
  @ApiProblems(400, 413, 415, 501, 502)
  lookup(@Req() request: FastifyRequest, @Query() query: Record<string, unknown>): Promise<LookupResult> {
    const { flag } = checkQuery(LookupQuery, query);
    if (!Buffer.isBuffer(request.body)) throw new UnsupportedMediaTypeError(`content-type: send the message as ${MESSAGE_TYPES[0]}`);
    return this.lookups.lookup(request.body, flag);
  }
}
