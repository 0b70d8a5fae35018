import { Body, Controller, Delete, Get, Param, Patch } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ACCESS_SETTING_NAMES, AccessSettingItem, AccessSettingsPatch } from '../../../../shared/api/api-types.js';
import { RequireScope } from '../../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../../common/api-docs.js';
import { listOf, schemaRef } from '../../common/api-schemas.js';
import { SchemaPipe } from '../../common/schema-input.js';
import { AccessSettingsService } from './access-settings.service.js';

/** Rate limits, `delay`, `forbidden_ids`, `weak_ids` and `allow_update_keys`, changed while serving. */
@ApiTags('access')
@Controller(`${API_V1}/access/settings`)
export class AccessSettingsController {
  constructor(private readonly settings: AccessSettingsService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'The access settings in force, each with where its value comes from' })
  @ApiOkResponse({ schema: listOf(AccessSettingItem) })
  @ApiProblems()
  list(): AccessSettingItem[] {
    return this.settings.list();
  }

  @Patch()
  @RequireScope('write')
  @ApiOperation({ summary: 'Set access settings over the API (null: back to file/env); applies to the next request on every thread and survives restarts' })
  @ApiBody({ schema: schemaRef(AccessSettingsPatch) })
  @ApiOkResponse({ schema: listOf(AccessSettingItem), description: 'Every setting as it is now' })
  @ApiProblems(400)
  patch(@Body(new SchemaPipe(AccessSettingsPatch)) body: AccessSettingsPatch): Promise<AccessSettingItem[]> {
    return this.settings.patch(body);
  }

  @Delete(':name')
  @RequireScope('write')
  @ApiParam({ name: 'name', schema: { type: 'string', enum: ACCESS_SETTING_NAMES } })
  @ApiOperation({ summary: "Remove the API's value: the setting returns to its file/env value" })
  @ApiOkResponse({ schema: schemaRef(AccessSettingItem) })
  @ApiProblems(404)
  reset(@Param('name') name: string): Promise<AccessSettingItem> {
    return this.settings.reset(name);
  }
}
