import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { NeuralModule } from '../neural/neural.module.js';
import { HealthController } from './health.controller.js';

@Module({
  imports: [DatabaseModule, NeuralModule],
  controllers: [HealthController],
})
export class HealthModule {}
