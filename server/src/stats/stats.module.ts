import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module.js';
import { StatsController } from './stats.controller.js';
import { StatsService } from './stats.service.js';

@Module({
  imports: [FlagsModule],
  controllers: [StatsController],
  providers: [StatsService],
})
export class StatsModule {}
