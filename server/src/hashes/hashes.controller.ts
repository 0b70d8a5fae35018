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
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HashCreate, HashDetail, HashItem, HashPage, HashPatch, HashWriteResult, ImportResult } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { UnsupportedMediaTypeError, ValidationError } from '../common/api-error.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { schemaRef } from '../common/api-schemas.js';
import { SchemaPipe } from '../common/schema-input.js';
import { rejectUnknownFields } from '../common/validation.js';
import { HashExportService } from './hash-export.service.js';
import { HashImportService, type ImportMode } from './hash-import.service.js';
import { decodePatch, decodeWrite, MAX_PAGE, parseListQuery } from './hash-input.js';
import { HashesService } from './hashes.service.js';
import { JSON_LINES_TYPES } from './json-lines.parser.js';

const DIGEST_PARAM = { name: 'digest', type: String, description: '128 hex characters' };

@ApiTags('hashes')
@Controller(`${API_V1}/hashes`)
export class HashesController {
  constructor(
    private readonly hashes: HashesService,
    private readonly importer: HashImportService,
    private readonly exporter: HashExportService,
  ) {}

  @Get()
  @RequireScope('read')
  @ApiQuery({ name: 'flag', required: false, type: Number, description: 'Only hashes holding this flag (0..255) in any slot' })
  @ApiQuery({ name: 'prefix', required: false, type: String, description: 'Hex prefix of the digest (1..128 characters)' })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: `Page size, 1..${MAX_PAGE} (default 100)` })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: '`nextCursor` of the previous page' })
  @ApiOkResponse({ schema: schemaRef(HashPage), description: 'Hashes in digest order (keyset pagination)' })
  @ApiProblems(400, 501)
  list(@Query() query: Record<string, unknown>): Promise<HashPage> {
    return this.hashes.list(parseListQuery(query, { paged: true }));
  }

  @Get('export')
  @RequireScope('read')
  @ApiQuery({ name: 'flag', required: false, type: Number })
  @ApiQuery({ name: 'prefix', required: false, type: String })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'JSON Lines, one hash per line in digest order, in the import format plus `time`' })
  @ApiProblems(400, 501)
  export(@Query() query: Record<string, unknown>): StreamableFile {
    const filter = parseListQuery(query, { paged: false });
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

  @Post()
  @RequireScope('write')
  @ApiBody({ schema: schemaRef(HashCreate) })
  @ApiCreatedResponse({ schema: schemaRef(HashWriteResult), description: 'A new hash was added' })
  @ApiOkResponse({
    schema: schemaRef(HashWriteResult),
    description: 'The hash existed: a flag it holds adds the weight, another flag takes a slot of its own (rspamd 4.x)',
  })
  @ApiProblems(400, 409)
  async create(@Body(new SchemaPipe(HashCreate)) body: HashCreate, @Res({ passthrough: true }) reply: FastifyReply): Promise<HashWriteResult> {
    const result = await this.hashes.write(decodeWrite(body));
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
      description: 'One `{"digest","flag","value","shingles"?}` or `{"digest","flags":[{"flag","value"},…],"shingles"?}` object per line (an export line)',
    },
  })
  @ApiQuery({
    name: 'mode',
    required: false,
    enum: ['add', 'replace'],
    description: 'add (default): WRITE per slot; replace: set the slots (or the primary flag and weight) of existing hashes',
  })
  @ApiOkResponse({ schema: schemaRef(ImportResult) })
  @ApiProblems(400, 409, 413, 415)
  import(@Req() request: FastifyRequest, @Query() query: Record<string, unknown>): Promise<ImportResult> {
    rejectUnknownFields(query, ['mode']);
    const mode = query.mode ?? 'add';
    if (mode !== 'add' && mode !== 'replace') throw new ValidationError('mode', "must be 'add' or 'replace'");
    const body = request.body;
    let source: AsyncIterable<Buffer | string>;
    if (body instanceof Readable) source = body;
    else if (typeof body === 'string' || Buffer.isBuffer(body)) source = Readable.from([body]);
    else throw new UnsupportedMediaTypeError(`content-type: send JSON Lines as ${JSON_LINES_TYPES[0]}`);
    return this.importer.import(source, mode as ImportMode);
  }

  @Patch(':digest')
  @RequireScope('write')
  @ApiParam(DIGEST_PARAM)
  @ApiBody({ schema: schemaRef(HashPatch) })
  @ApiOkResponse({ schema: schemaRef(HashItem) })
  @ApiProblems(400, 404, 409)
  patch(@Param('digest') digest: string, @Body(new SchemaPipe(HashPatch)) body: HashPatch): Promise<HashItem> {
    return this.hashes.patch(digest, decodePatch(body));
  }

  @Delete(':digest')
  @RequireScope('write')
  @HttpCode(204)
  @ApiParam(DIGEST_PARAM)
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  async remove(@Param('digest') digest: string): Promise<void> {
    await this.hashes.remove(digest);
  }
}
