import { Controller, Get, HttpCode, Inject, type OnModuleDestroy, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { HealthResponse } from '../../../shared/api/api-types.js';
import { schemaRef } from '../common/api-schemas.js';
import { HashRepository } from '../database/hash.repository.js';
import { RUNTIME, type Runtime } from '../runtime.js';
import { RedisProbe } from './redis-probe.js';

interface Check {
  ok: boolean;
  detail?: string;
}

/** Liveness plus readiness of what fuzzyd depends on: the store, the SQLite file, Redis if configured, the UDP sockets. */
@ApiTags('health')
@Controller('health')
export class HealthController implements OnModuleDestroy {
  private readonly redis: RedisProbe | null;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly hashes: HashRepository,
    private readonly dataSource: DataSource,
  ) {
    this.redis = runtime.config.redisUrl ? new RedisProbe(runtime.config.redisUrl) : null;
  }

  @Get()
  @HttpCode(200)
  @ApiOkResponse({ schema: schemaRef(HealthResponse), description: 'status "ok" (200) or "degraded" (503) with one entry per check' })
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthResponse> {
    const checks: Record<string, Check> = {};
    try {
      const store = await this.runtime.backend.health();
      checks.store = { ok: store.writable, detail: store.detail };
    } catch (err) {
      checks.store = { ok: false, detail: (err as Error).message };
    }
    checks.sqlite = await this.sqliteCheck();
    if (this.redis) checks.redis = await this.redis.check();
    const bound = this.runtime.udp.boundAddresses;
    const threads = this.runtime.udp.threads;
    const where = threads > 0 ? `${threads} UDP thread${threads > 1 ? 's' : ''}` : 'main thread';
    checks.udp = { ok: bound.length > 0, detail: `${bound.map((a) => `${a.host}:${a.port}`).join(', ')} (${where})` };
    const ok = Object.values(checks).every((c) => c.ok);
    if (!ok) res.status(503);
    return { status: ok ? 'ok' : 'degraded', checks };
  }

  onModuleDestroy(): void {
    this.redis?.close();
  }

  private async sqliteCheck(): Promise<Check> {
    try {
      this.hashes.ping();
      await this.dataSource.query('SELECT 1');
      return { ok: true };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }
}
