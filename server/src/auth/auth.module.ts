import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { DatabaseModule } from '../database/database.module.js';
import { ApiAuthGuard } from './api-auth.guard.js';
import { ApiTokenService } from './api-token.service.js';
import { TokensController } from './tokens.controller.js';

@Module({
  imports: [DatabaseModule],
  controllers: [TokensController],
  providers: [ApiTokenService, { provide: APP_GUARD, useClass: ApiAuthGuard }],
  exports: [ApiTokenService],
})
export class AuthModule {}
