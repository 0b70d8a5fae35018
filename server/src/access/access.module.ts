import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { AllowMapService } from './allow-map.service.js';
import { NetworksController } from './networks.controller.js';

@Module({
  imports: [DatabaseModule],
  controllers: [NetworksController],
  providers: [AllowMapService],
})
export class AccessModule {}
