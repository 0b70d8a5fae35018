import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NetworkCreate, NetworkItem, type NetworkListName } from '../../../shared/api/api-types.js';
import { RequireScope } from '../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../common/api-docs.js';
import { listOf, schemaRef } from '../common/api-schemas.js';
import { decodeText } from '../common/payload-decode.js';
import { SchemaPipe } from '../common/schema-input.js';
import { AllowMapService } from './allow-map.service.js';

/** `allow-update`: sources that may WRITE/DEL over UDP. `blocked`: sources whose datagrams are dropped. */
@ApiTags('access')
@Controller(API_V1)
export class NetworksController {
  constructor(private readonly maps: AllowMapService) {}

  @Get('allow-update')
  @RequireScope('read')
  @ApiOperation({ summary: 'Networks allowed to write over UDP' })
  @ApiOkResponse({ schema: listOf(NetworkItem) })
  @ApiProblems()
  listAllowUpdate(): Promise<NetworkItem[]> {
    return this.maps.list('allow-update');
  }

  @Post('allow-update')
  @RequireScope('admin')
  @ApiBody({ schema: schemaRef(NetworkCreate) })
  @ApiCreatedResponse({ schema: schemaRef(NetworkItem), description: 'Applies to the next datagram' })
  @ApiProblems(400, 409)
  addAllowUpdate(@Body(new SchemaPipe(NetworkCreate)) body: NetworkCreate): Promise<NetworkItem> {
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
  @ApiOkResponse({ schema: listOf(NetworkItem) })
  @ApiProblems()
  listBlocked(): Promise<NetworkItem[]> {
    return this.maps.list('blocked');
  }

  @Post('blocked')
  @RequireScope('admin')
  @ApiBody({ schema: schemaRef(NetworkCreate) })
  @ApiCreatedResponse({ schema: schemaRef(NetworkItem), description: 'Applies to the next datagram' })
  @ApiProblems(400, 409)
  addBlocked(@Body(new SchemaPipe(NetworkCreate)) body: NetworkCreate): Promise<NetworkItem> {
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

  private add(list: NetworkListName, body: NetworkCreate): Promise<NetworkItem> {
    return this.maps.add(list, decodeText(body.cidr, 'cidr'), decodeText(body.comment, 'comment', true));
  }
}
