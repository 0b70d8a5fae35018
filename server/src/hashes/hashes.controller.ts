import { Readable } from 'node:stream';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  HashCreate,
  HashDetail,
  HashExplain,
  HashExportQuery,
  HashImportQuery,
  HashItem,
  HashListQuery,
  HashPage,
  HashPatch,
  HashWriteResult,
  ImportResult,
} from '../../../shared/api/api-types.js';
import { DigestHex } from '../../../shared/api/formats.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { UnsupportedMediaTypeError } from '../common/api-error.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { ApiQueries, plainSchema, schemaRef } from '../common/api-schemas.js';
import { checkQuery, SchemaPipe } from '../common/schema-input.js';
import { HashExportService } from './hash-export.service.js';
import { HashExplainService } from './hash-explain.service.js';
import { HashImportService } from './hash-import.service.js';
import { decodeListQuery, decodePatch, decodeWrite } from './hash-input.js';
import { HashesService } from './hashes.service.js';
import { requestAudit } from '../audit/request-audit.js';
import { JSON_LINES_TYPES } from './json-lines.parser.js';

const DIGEST_PARAM = { name: 'digest', schema: plainSchema(DigestHex) };

@ApiTags('hashes')
@Controller(`${API_V1}/hashes`)
export class HashesController {
  constructor(
    private readonly hashes: HashesService,
    private readonly importer: HashImportService,
    private readonly exporter: HashExportService,
    private readonly explainer: HashExplainService,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiQueries(HashListQuery)
  @ApiOkResponse({ schema: schemaRef(HashPage), description: 'Hashes in digest order (keyset pagination)' })
  @ApiProblems(400, 501)
  list(@Query() query: Record<string, unknown>): Promise<HashPage> {
    return this.hashes.list(decodeListQuery(checkQuery(HashListQuery, query)));
  }

  @Get('export')
  @RequireScope('read')
  @ApiQueries(HashExportQuery)
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'JSON Lines, one hash per line in digest order, in the import format plus `time`' })
  @ApiProblems(400, 501)
  export(@Query() query: Record<string, unknown>): StreamableFile {
    const filter = decodeListQuery(checkQuery(HashExportQuery, query));
    return new StreamableFile(this.exporter.stream(filter), {
      type: 'application/x-ndjson',
      disposition: 'attachment; filename="fuzzyd-hashes.jsonl"',
    });
  }

  @Get(':digest')
  @RequireScope('read')
  @ApiParam(DIGEST_PARAM)
  @ApiOkResponse({ schema: schemaRef(HashDetail) })
  @ApiProblems(400, 404)
  detail(@Param('digest') digest: string): Promise<HashDetail> {
    return this.hashes.detail(digest);
  }

  @Get(':digest/explain')
  @RequireScope('read')
  @ApiParam(DIGEST_PARAM)
  @ApiOkResponse({ schema: schemaRef(HashExplain), description: 'Which stored hashes own its 32 shingle positions now (its near-duplicate cluster)' })
  @ApiProblems(400, 404, 501)
  explain(@Param('digest') digest: string): Promise<HashExplain> {
    return this.explainer.explain(digest);
  }

  @Post()
  @RequireScope('write')
  @ApiBody({ schema: schemaRef(HashCreate) })
  @ApiCreatedResponse({ schema: schemaRef(HashWriteResult), description: 'A new hash was added' })
  @ApiOkResponse({
    schema: schemaRef(HashWriteResult),
    description: 'The hash existed: a flag it holds adds the weight, another flag takes a slot of its own (rspamd 4.x)',
  })
  @ApiProblems(400, 409)
  async create(
    @Body(new SchemaPipe(HashCreate)) body: HashCreate,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<HashWriteResult> {
    const result = await this.hashes.write(decodeWrite(body), requestAudit(request));
    reply.status(result.status === 'added' ? 201 : 200);
    return result;
  }

  @Post('import')
  @RequireScope('write')
  @HttpCode(200)
  @ApiConsumes(...JSON_LINES_TYPES)
  @ApiBody({
    schema: {
      type: 'string',
      description: 'One `{"digest","flag","value","shingles"?}` or `{"digest","flags":[{"flag","value"},…],"shingles"?}` object per line (an export line): each line is a `HashImportLine`',
    },
  })
  @ApiQueries(HashImportQuery)
  @ApiOkResponse({ schema: schemaRef(ImportResult) })
  @ApiProblems(400, 409, 413, 415)
  import(@Req() request: FastifyRequest, @Query() query: Record<string, unknown>): Promise<ImportResult> {
    const { mode = 'add' } = checkQuery(HashImportQuery, query);
    const body = request.body;
    let source: AsyncIterable<Buffer | string>;
    if (body instanceof Readable) source = body;
    else if (typeof body === 'string' || Buffer.isBuffer(body)) source = Readable.from([body]);
    else throw new UnsupportedMediaTypeError(`content-type: send JSON Lines as ${JSON_LINES_TYPES[0]}`);
    return this.importer.import(source, mode, requestAudit(request));
  }

  @Patch(':digest')
  @RequireScope('write')
  @ApiParam(DIGEST_PARAM)
  @ApiBody({ schema: schemaRef(HashPatch) })
  @ApiOkResponse({ schema: schemaRef(HashItem) })
  @ApiProblems(400, 404, 409)
  patch(@Param('digest') digest: string, @Body(new SchemaPipe(HashPatch)) body: HashPatch, @Req() request: FastifyRequest): Promise<HashItem> {
    return this.hashes.patch(digest, decodePatch(body), requestAudit(request));
  }

  @Delete(':digest')
  @RequireScope('write')
  @HttpCode(204)
  @ApiParam(DIGEST_PARAM)
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  async remove(@Param('digest') digest: string, @Req() request: FastifyRequest): Promise<void> {
    await this.hashes.remove(digest, requestAudit(request));
  }
}
