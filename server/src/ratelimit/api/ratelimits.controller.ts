import { Controller, Delete, Get, HttpCode, Inject, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RateLimitLiftQuery, RateLimitState } from '../../../../shared/api/api-types.js';
import { RequireScope } from '../../auth/require-scope.decorator.js';
import { API_V1, ApiProblems } from '../../common/api-docs.js';
import { NotFoundError } from '../../common/api-error.js';
import { ApiQueries, schemaRef } from '../../common/api-schemas.js';
import { checkQuery } from '../../common/schema-input.js';
import { RUNTIME, type Runtime } from '../../runtime.js';

/** The networks the rate limit tracks (docs/spec/access-controls.md §4), read from the buckets every thread shares. */
@ApiTags('ratelimits')
@Controller(`${API_V1}/ratelimits`)
export class RateLimitsController {
  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  @Get()
  @RequireScope('read')
  @ApiOkResponse({ schema: schemaRef(RateLimitState), description: 'Every source network with a live bucket, banned ones first' })
  @ApiProblems()
  list(): RateLimitState {
    const limits = this.runtime.rateLimits;
    const now = Date.now() / 1000;
    const ttl = limits?.settings.bucketTtlSeconds ?? 0;
    const buckets = (limits?.networkStates(now) ?? [])
      .map((b) => ({
        network: b.network,
        banned: b.level === null,
        level: b.level,
        createdAt: new Date(b.created * 1000).toISOString(),
        expiresAt: new Date((b.created + ttl) * 1000).toISOString(),
      }))
      .sort((a, b) => Number(b.banned) - Number(a.banned) || a.network.localeCompare(b.network));
    return { enabled: !!limits?.networkBuckets, logOnly: limits?.settings.logOnly ?? false, buckets };
  }

  @Delete()
  @RequireScope('write')
  @HttpCode(204)
  @ApiQueries(RateLimitLiftQuery)
  @ApiNoContentResponse({ description: "The network's bucket is dropped: its next request starts a fresh one, on every thread" })
  @ApiProblems(400, 404)
  lift(@Query() query: Record<string, unknown>): void {
    const { network } = checkQuery(RateLimitLiftQuery, query);
    if (!this.runtime.rateLimits?.lift(network)) throw new NotFoundError(`no rate-limit bucket for ${network}`);
  }
}
