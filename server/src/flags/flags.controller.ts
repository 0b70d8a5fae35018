import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBody, ApiNoContentResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { FlagInfo, FlagUpdate } from '../../../shared/api/api-types.js';
import { Flag } from '../../../shared/api/formats.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { listOf, plainSchema, schemaRef } from '../common/api-schemas.js';
import { decodeText } from '../common/payload-decode.js';
import { SchemaPipe } from '../common/schema-input.js';
import { parseFlagParam } from '../common/validation.js';
import { FlagsService } from './flags.service.js';

const FLAG_PARAM = { name: 'flag', schema: plainSchema(Flag) };

@ApiTags('flags')
@Controller(`${API_V1}/flags`)
export class FlagsController {
  constructor(private readonly flags: FlagsService) {}

  @Get()
  @RequireScope('read')
  @ApiOkResponse({ schema: listOf(FlagInfo), description: 'Flags that have hashes or a name, with their hash counts' })
  @ApiProblems()
  list(): Promise<FlagInfo[]> {
    return this.flags.list();
  }

  @Put(':flag')
  @RequireScope('write')
  @ApiParam(FLAG_PARAM)
  @ApiBody({ schema: schemaRef(FlagUpdate) })
  @ApiOkResponse({ schema: schemaRef(FlagInfo) })
  @ApiProblems(400)
  set(@Param('flag') flagText: string, @Body(new SchemaPipe(FlagUpdate)) body: FlagUpdate): Promise<FlagInfo> {
    const flag = parseFlagParam(flagText);
    return this.flags.set(flag, decodeText(body.name, 'name'), decodeText(body.description, 'description', true));
  }

  @Delete(':flag')
  @RequireScope('write')
  @HttpCode(204)
  @ApiParam(FLAG_PARAM)
  @ApiNoContentResponse({ description: 'The name is removed; the hashes keep their flag' })
  @ApiProblems(400, 404)
  async remove(@Param('flag') flagText: string): Promise<void> {
    await this.flags.remove(parseFlagParam(flagText));
  }
}
