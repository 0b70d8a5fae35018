import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { StatsQuery, StatsResponse } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { ApiQueries, schemaRef } from '../common/api-schemas.js';
import { checkQuery } from '../common/schema-input.js';
import { StatsService } from './stats.service.js';

@ApiTags('stats')
@Controller(`${API_V1}/stats`)
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @RequireScope('read')
  @ApiQueries(StatsQuery)
  @ApiOkResponse({ schema: schemaRef(StatsResponse) })
  @ApiProblems(400)
  get(@Query() query: Record<string, unknown>): Promise<StatsResponse> {
    return this.stats.snapshot(checkQuery(StatsQuery, query).minutes);
  }
}
