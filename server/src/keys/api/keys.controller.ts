import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { KeyInfo } from '../../../../shared/api/api-types.js';
import { RequireScope } from '../../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../../common/api-docs.js';
import { listOf } from '../../common/api-schemas.js';
import { KeysService } from './keys.service.js';

@ApiTags('keys')
@Controller(`${API_V1}/keys`)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  @RequireScope('read')
  @ApiOkResponse({ schema: listOf(KeyInfo), description: 'Static keys in configuration order (the last is the default), then the dynamic ones' })
  @ApiProblems()
  list(): KeyInfo[] {
    return this.keys.list();
  }
}
