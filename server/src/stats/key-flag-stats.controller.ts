import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { FlagStatsResponse, KeyStatsResponse } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { schemaRef } from '../common/api-schemas.js';
import { KeyFlagStatsService } from './key-flag-stats.service.js';

@ApiTags('stats')
@Controller(`${API_V1}/stats`)
export class KeyFlagStatsController {
  constructor(private readonly stats: KeyFlagStatsService) {}

  @Get('keys')
  @RequireScope('read')
  @ApiOkResponse({ schema: schemaRef(KeyStatsResponse), description: 'Requests per server key since start, plaintext requests in a row of their own' })
  @ApiProblems()
  keys(): KeyStatsResponse {
    return this.stats.keys();
  }

  @Get('flags')
  @RequireScope('read')
  @ApiOkResponse({ schema: schemaRef(FlagStatsResponse), description: 'Requests per flag since start' })
  @ApiProblems()
  flags(): FlagStatsResponse {
    return this.stats.flags();
  }
}
