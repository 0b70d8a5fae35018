import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { HealthResponse } from '../../../shared/api/api-types.js';
import { schemaRef } from '../common/api-schemas.js';
import { HASH_CATALOGUE, type HashCatalogue } from '../fuzzy/hash-catalogue.js';
import { NEURAL_CONNECTION, type NeuralConnection } from '../neural/neural-connection.js';
import { RUNTIME, type Runtime } from '../runtime.js';
import { type Check, redisCheck } from './redis-check.js';



/** Liveness plus readiness of what fuzzyd depends on: the store, the SQLite file, Redis if configured, the UDP sockets. */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(HASH_CATALOGUE) private readonly catalogue: HashCatalogue | null,
    private readonly dataSource: DataSource,
    /** The client the neural routes use (null without FUZZYD_REDIS_URL); the Redis store reports its own in `store`. */
    @Inject(NEURAL_CONNECTION) private readonly neural: NeuralConnection | null,
  ) {}

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
    const redis: NonNullable<HealthResponse['redis']> = ((await this.runtime.backend.redisServers?.()) ?? []).map((s) => ({ use: 'fuzzy' as const, ...s }));
    if (this.neural) {
      const ping = await this.neural.ping();
      checks.redis = redisCheck(ping, this.neural.address);
      redis.push({ use: 'neural', ...this.neural.server(ping.ok) });
    }
    const bound = this.runtime.udp.boundAddresses;
    const threads = this.runtime.udp.threads;
    const where = threads > 0 ? `${threads} UDP thread${threads > 1 ? 's' : ''}` : 'main thread';
    checks.udp = { ok: bound.length > 0, detail: `${bound.map((a) => `${a.host}:${a.port}`).join(', ')} (${where})` };
    const ok = Object.values(checks).every((c) => c.ok || c.optional);
    if (!ok) res.status(503);
    return { status: ok ? 'ok' : 'degraded', checks, ...(redis.length > 0 ? { redis } : {}) };
  }

  private async sqliteCheck(): Promise<Check> {
    try {
      this.catalogue?.ping();
      await this.dataSource.query('SELECT 1');
      return { ok: true };
    } catch (err) {
      return { ok: false, detail: (err as Error).message };
    }
  }
}
