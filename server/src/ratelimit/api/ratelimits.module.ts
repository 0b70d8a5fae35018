import { Module } from '@nestjs/common';
import { RateLimitsController } from './ratelimits.controller.js';

@Module({ controllers: [RateLimitsController] })
export class RateLimitsModule {}
