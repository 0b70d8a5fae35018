import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { AllowMapService } from './allow-map.service.js';
import { NetworksController } from './networks.controller.js';
import { AccessSettingsController } from './settings/access-settings.controller.js';
import { AccessSettingsService } from './settings/access-settings.service.js';

@Module({
  imports: [DatabaseModule],
  controllers: [NetworksController, AccessSettingsController],
  providers: [AllowMapService, AccessSettingsService],
})
export class AccessModule {}
