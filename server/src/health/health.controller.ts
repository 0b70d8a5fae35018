import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RUNTIME, type Runtime } from '../runtime.js';

interface Check {
  ok: boolean;
  detail?: string;
}

/** Liveness plus readiness of what fuzzyd depends on: the store and the bound UDP sockets. */
@Controller('health')
export class HealthController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get()
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: FastifyReply): Promise<{ status: string; checks: Record<string, Check> }> {
    const checks: Record<string, Check> = {};
    try {
      const count = await this.runtime.backend.count();
      checks.store = { ok: true, detail: `${this.runtime.backend.kind}, ${count} hashes` };
    } catch (err) {
      checks.store = { ok: false, detail: (err as Error).message };
    }
    const bound = this.runtime.udp.boundAddresses;
    checks.udp = { ok: bound.length > 0, detail: bound.map((a) => `${a.host}:${a.port}`).join(', ') };
    const ok = Object.values(checks).every((c) => c.ok);
    if (!ok) res.status(503);
    return { status: ok ? 'ok' : 'degraded', checks };
  }
}
