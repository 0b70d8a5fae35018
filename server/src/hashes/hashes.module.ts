import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { FlagsModule } from '../flags/flags.module.js';
import { HashExplainService } from './hash-explain.service.js';
import { HashExportService } from './hash-export.service.js';
import { HashImportService } from './hash-import.service.js';
import { HashesController } from './hashes.controller.js';
import { HashesService } from './hashes.service.js';

@Module({
  imports: [DatabaseModule, FlagsModule],
  controllers: [HashesController],
  providers: [HashesService, HashImportService, HashExportService, HashExplainService],
  exports: [HashesService, HashExplainService],
})
export class HashesModule {}
