import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { KeyFlagStatsController } from './key-flag-stats.controller.js';
import { KeyFlagStatsService } from './key-flag-stats.service.js';
import { StatsController } from './stats.controller.js';
import { StatsService } from './stats.service.js';

@Module({
  imports: [FlagsModule],
  controllers: [StatsController, KeyFlagStatsController],
  providers: [StatsService, KeyFlagStatsService],
})
export class StatsModule {}
