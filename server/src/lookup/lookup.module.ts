import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { FlagsModule } from '../flags/flags.module.js';
import { HashesModule } from '../hashes/hashes.module.js';
import { LookupController } from './lookup.controller.js';
import { LookupService } from './lookup.service.js';

@Module({
  imports: [HashesModule, FlagsModule, AuditModule],
  controllers: [LookupController],
  providers: [LookupService],
})
export class LookupModule {}
