import { Inject, Injectable } from '@nestjs/common';
import { STATS_HISTORY_MINUTES, type StatsResponse } from '../../../shared/api/api-types.js';
import { FlagsService } from '../flags/flags.service.js';
import { FUZZY_BACKEND, type FuzzyBackend } from '../fuzzy/fuzzy-backend.js';
import { UDP_STATS } from '../runtime.js';
import type { UdpStats } from '../udp/udp-stats.js';

/** A snapshot of the UDP counters and the store's size, read without touching the UDP hot path. */
@Injectable()
export class StatsService {
  constructor(
    @Inject(UDP_STATS) private readonly stats: UdpStats,
    @Inject(FUZZY_BACKEND) private readonly backend: FuzzyBackend,
    private readonly flags: FlagsService,
  ) {}

  async snapshot(minutes = STATS_HISTORY_MINUTES): Promise<StatsResponse> {
    const now = Date.now();
    const historyTo = now - (now % 60_000) + 60_000;
    return {
      startedAt: this.stats.startedAt,
      uptimeSeconds: Math.floor((now - this.stats.startedAt) / 1000),
      hashes: {
        total: await this.backend.count(),
        byFlag: (await this.flags.countByFlag()).map((r) => ({ flag: r.flag, name: this.flags.nameOf(r.flag), count: r.count })),
      },
      requests: this.stats.requests,
      invalid: this.stats.invalid,
      blocked: this.stats.blocked,
      denied: this.stats.denied,
      duplicates: this.stats.duplicates,
      history: this.stats.history(minutes, now).map((b) => ({ ...b, requests: { ...b.requests } })),
      historyFrom: historyTo - minutes * 60_000,
      historyTo,
    };
  }
}
