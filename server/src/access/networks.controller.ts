import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { NetworkItem, NetworkListName } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { parseString, rejectUnknownFields, requireObject } from '../common/validation.js';
import { AllowMapService } from './allow-map.service.js';
import { NetworkCreateDto, NetworkItemDto } from './network.dto.js';

/** `allow-update`: sources that may WRITE/DEL over UDP. `blocked`: sources whose datagrams are dropped. */
@ApiTags('access')
@Controller(API_V1)
export class NetworksController {
  constructor(private readonly maps: AllowMapService) {}

  @Get('allow-update')
  @RequireScope('read')
  @ApiOperation({ summary: 'Networks allowed to write over UDP' })
  @ApiOkResponse({ type: [NetworkItemDto] })
  @ApiProblems()
  listAllowUpdate(): Promise<NetworkItem[]> {
    return this.maps.list('allow-update');
  }

  @Post('allow-update')
  @RequireScope('admin')
  @ApiBody({ type: NetworkCreateDto })
  @ApiCreatedResponse({ type: NetworkItemDto, description: 'Applies to the next datagram' })
  @ApiProblems(400, 409)
  addAllowUpdate(@Body() body: unknown): Promise<NetworkItem> {
    return this.add('allow-update', body);
  }

  @Delete('allow-update/:id')
  @RequireScope('admin')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  async removeAllowUpdate(@Param('id') id: string): Promise<void> {
    await this.maps.remove('allow-update', id);
  }

  @Get('blocked')
  @RequireScope('read')
  @ApiOperation({ summary: 'Networks whose datagrams are dropped' })
  @ApiOkResponse({ type: [NetworkItemDto] })
  @ApiProblems()
  listBlocked(): Promise<NetworkItem[]> {
    return this.maps.list('blocked');
  }

  @Post('blocked')
  @RequireScope('admin')
  @ApiBody({ type: NetworkCreateDto })
  @ApiCreatedResponse({ type: NetworkItemDto, description: 'Applies to the next datagram' })
  @ApiProblems(400, 409)
  addBlocked(@Body() body: unknown): Promise<NetworkItem> {
    return this.add('blocked', body);
  }

  @Delete('blocked/:id')
  @RequireScope('admin')
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  async removeBlocked(@Param('id') id: string): Promise<void> {
    await this.maps.remove('blocked', id);
  }

  private add(list: NetworkListName, body: unknown): Promise<NetworkItem> {
    const input = requireObject(body);
    rejectUnknownFields(input, ['cidr', 'comment']);
    const cidr = parseString(input.cidr, 'cidr', { max: 64 });
    const comment = parseString(input.comment, 'comment', { max: 200, optional: true, nullable: true, allowEmpty: true });
    return this.maps.add(list, cidr, comment || null);
  }
}
