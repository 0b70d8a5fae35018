import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { TOKEN_SCOPES, type TokenCreated, type TokenItem, type TokenScope } from '../../../shared/api/api-types.js';
import { ValidationError } from '../common/api-error.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { parseIntParam, parseString, rejectUnknownFields, requireObject } from '../common/validation.js';
import { ApiTokenService } from './api-token.service.js';
import { RequireScope } from './require-scope.decorator.js';
import { TokenCreateDto, TokenCreatedDto, TokenItemDto } from './token.dto.js';

@ApiTags('tokens')
@RequireScope('admin')
@Controller(`${API_V1}/tokens`)
export class TokensController {
  constructor(private readonly tokens: ApiTokenService) {}

  @Get()
  @ApiOkResponse({ type: [TokenItemDto] })
  @ApiProblems()
  list(): TokenItem[] {
    return this.tokens.list();
  }

  @Post()
  @ApiBody({ type: TokenCreateDto })
  @ApiCreatedResponse({ type: TokenCreatedDto, description: 'The secret is in `token`, shown only here' })
  @ApiProblems(400)
  create(@Body() body: unknown): Promise<TokenCreated> {
    const input = requireObject(body);
    rejectUnknownFields(input, ['name', 'scope']);
    const name = parseString(input.name, 'name', { max: 100 });
    if (!TOKEN_SCOPES.includes(input.scope as TokenScope)) {
      throw new ValidationError('scope', `must be one of ${TOKEN_SCOPES.join(', ')}`);
    }
    return this.tokens.create(name, input.scope as TokenScope);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  async remove(@Param('id') id: string): Promise<void> {
    await this.tokens.remove(parseIntParam(id, 'id', 1, Number.MAX_SAFE_INTEGER));
  }
}
