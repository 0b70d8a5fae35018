import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TokenCreate, TokenCreated, TokenItem } from '../../../shared/api/api-types.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { listOf, schemaRef } from '../common/api-schemas.js';
import { decodeText } from '../common/payload-decode.js';
import { SchemaPipe } from '../common/schema-input.js';
import { parseIntParam } from '../common/validation.js';
import { ApiTokenService } from './api-token.service.js';
import { RequireScope } from './require-scope.decorator.js';

@ApiTags('tokens')
@RequireScope('admin')
@Controller(`${API_V1}/tokens`)
export class TokensController {
  constructor(private readonly tokens: ApiTokenService) {}

  @Get()
  @ApiOkResponse({ schema: listOf(TokenItem) })
  @ApiProblems()
  list(): TokenItem[] {
    return this.tokens.list();
  }

  @Post()
  @ApiBody({ schema: schemaRef(TokenCreate) })
  @ApiCreatedResponse({ schema: schemaRef(TokenCreated), description: 'The secret is in `token`, shown only here' })
  @ApiProblems(400)
  create(@Body(new SchemaPipe(TokenCreate)) body: TokenCreate): Promise<TokenCreated> {
    return this.tokens.create(decodeText(body.name, 'name'), body.scope);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  async remove(@Param('id') id: string): Promise<void> {
    await this.tokens.remove(parseIntParam(id, 'id', 1, Number.MAX_SAFE_INTEGER));
  }
}
