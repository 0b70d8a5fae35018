import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { StatsResponse } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { parseIntParam, rejectUnknownFields } from '../common/validation.js';
import { schemaRef } from '../common/api-schemas.js';
import { HISTORY_MINUTES, StatsService } from './stats.service.js';

@ApiTags('stats')
@Controller(`${API_V1}/stats`)
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @RequireScope('read')
  @ApiQuery({ name: 'minutes', required: false, type: Number, description: `History window, 1..${HISTORY_MINUTES} (default all)` })
  @ApiOkResponse({ schema: schemaRef(StatsResponse) })
  @ApiProblems(400)
  get(@Query() query: Record<string, unknown>): Promise<StatsResponse> {
    rejectUnknownFields(query, ['minutes']);
    const minutes = query.minutes === undefined ? HISTORY_MINUTES : parseIntParam(query.minutes, 'minutes', 1, HISTORY_MINUTES);
    return this.stats.snapshot(minutes);
  }
}
