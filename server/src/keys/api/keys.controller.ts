import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { KeyCreate, KeyCreated, KeyInfo, KeyPatch } from '../../../../shared/api/api-types.js';
import { RequireScope } from '../../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../../common/api-docs.js';
import { listOf, schemaRef } from '../../common/api-schemas.js';
import { SchemaPipe } from '../../common/schema-input.js';
import { KeysService } from './keys.service.js';

@ApiTags('keys')
@Controller(`${API_V1}/keys`)
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  @RequireScope('read')
  @ApiOkResponse({ schema: listOf(KeyInfo), description: 'Static keys in configuration order (the last is the default), then the dynamic ones, then those made here' })
  @ApiProblems()
  list(): KeyInfo[] {
    return this.keys.list();
  }

  @Post()
  @RequireScope('admin')
  @ApiOperation({ summary: 'Make a key (generated, or the keypair given); it serves the next datagram and survives restarts' })
  @ApiBody({ schema: schemaRef(KeyCreate) })
  @ApiCreatedResponse({ schema: schemaRef(KeyCreated), description: 'A generated private key is in `privkey`, shown only here' })
  @ApiProblems(400, 409)
  create(@Body(new SchemaPipe(KeyCreate)) body: KeyCreate, @Headers('host') host: string | undefined): Promise<KeyCreated> {
    return this.keys.create(body, host);
  }

  @Patch(':id')
  @RequireScope('admin')
  @ApiOperation({ summary: "Change a key made here, or disable / enable any key (static and dynamic keys' options belong to their file: 409)" })
  @ApiBody({ schema: schemaRef(KeyPatch) })
  @ApiOkResponse({ schema: schemaRef(KeyInfo) })
  @ApiProblems(400, 404, 409)
  patch(@Param('id') id: string, @Body(new SchemaPipe(KeyPatch)) body: KeyPatch): Promise<KeyInfo> {
    return this.keys.patch(id, body);
  }

  @Delete(':id')
  @RequireScope('admin')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a key made here (static and dynamic keys: 409; disable them instead)' })
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  async remove(@Param('id') id: string): Promise<void> {
    await this.keys.remove(id);
  }
}
