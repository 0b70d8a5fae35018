import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FlagInfo } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { parseFlagParam, parseString, rejectUnknownFields, requireObject } from '../common/validation.js';
import { FlagInfoDto, FlagUpdateDto } from './flag.dto.js';
import { FlagsService } from './flags.service.js';

@ApiTags('flags')
@Controller(`${API_V1}/flags`)
export class FlagsController {
  constructor(private readonly flags: FlagsService) {}

  @Get()
  @RequireScope('read')
  @ApiOkResponse({ type: [FlagInfoDto], description: 'Flags that have hashes or a name, with their hash counts' })
  @ApiProblems()
  list(): Promise<FlagInfo[]> {
    return this.flags.list();
  }

  @Put(':flag')
  @RequireScope('write')
  @ApiParam({ name: 'flag', type: Number, description: '0..255' })
  @ApiBody({ type: FlagUpdateDto })
  @ApiOkResponse({ type: FlagInfoDto })
  @ApiProblems(400)
  set(@Param('flag') flagText: string, @Body() body: unknown): Promise<FlagInfo> {
    const flag = parseFlagParam(flagText);
    const input = requireObject(body);
    rejectUnknownFields(input, ['name', 'description']);
    const name = parseString(input.name, 'name', { max: 64 });
    const description = parseString(input.description, 'description', { max: 500, optional: true, nullable: true, allowEmpty: true });
    return this.flags.set(flag, name, description || null);
  }

  @Delete(':flag')
  @RequireScope('write')
  @HttpCode(204)
  @ApiParam({ name: 'flag', type: Number, description: '0..255' })
  @ApiNoContentResponse({ description: 'The name is removed; the hashes keep their flag' })
  @ApiProblems(400, 404)
  async remove(@Param('flag') flagText: string): Promise<void> {
    await this.flags.remove(parseFlagParam(flagText));
  }
}
