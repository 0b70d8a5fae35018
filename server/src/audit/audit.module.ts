import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { RUNTIME, type Runtime } from '../runtime.js';
import { AdminAuditInterceptor } from './admin-audit.interceptor.js';
import { AUDIT_LOG } from './audit-log.js';
import { AuditController } from './audit.controller.js';

@Module({
  controllers: [AuditController],
  providers: [
    { provide: AUDIT_LOG, inject: [RUNTIME], useFactory: (runtime: Runtime) => runtime.audit },
    { provide: APP_INTERCEPTOR, useClass: AdminAuditInterceptor },
  ],
  exports: [AUDIT_LOG],
})
export class AuditModule {}
