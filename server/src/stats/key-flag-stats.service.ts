import { Inject, Injectable } from '@nestjs/common';
import type { FlagStatsResponse, KeyRequestStats, KeyStatsResponse } from '../../../shared/api/api-types.js';
import { FlagsService } from '../flags/flags.service.js';
import { RUNTIME, type Runtime } from '../runtime.js';
import type { KeyStatsRow } from '../udp/key-flag-stats.js';
import { MAX_STAT_KEYS, PUBKEY_START } from '../udp/key-slot-table.js';

/** Requests per server key and per flag (udp/key-flag-stats.ts), read without touching the UDP hot path. */
@Injectable()
export class KeyFlagStatsService {
  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly flagNames: FlagsService,
  ) {}

  keys(): KeyStatsResponse {
    return { maxKeys: MAX_STAT_KEYS, keys: this.runtime.keyStats.keyRows(this.runtime.keys).map(keyRequestStats) };
  }

  flags(): FlagStatsResponse {
    return {
      flags: this.runtime.keyStats.flagRows().map(({ flag, counts }) => ({
        flag,
        name: flag === null ? null : this.flagNames.nameOf(flag),
        ...counts,
      })),
    };
  }
}

/** One row as the API shows it: the matrix folded into what an admin asks (rspamd's checked/matched/added/...). */
export function keyRequestStats({ row, key, inRing, counts: c }: KeyStatsRow): KeyRequestStats {
  const all = [c.check, c.write, c.del, c.other];
  const sum = (outcome: keyof typeof c.check): number => all.reduce((n, cmd) => n + cmd[outcome], 0);
  return {
    row,
    id: key?.id ?? null,
    name: key?.name ?? null,
    pubkeyStart: key ? key.pubkey.slice(0, PUBKEY_START) : null,
    source: key?.source ?? null,
    inRing,
    requests: all.reduce((n, cmd) => n + Object.values(cmd).reduce((a, b) => a + b, 0), 0),
    checks: Object.values(c.check).reduce((a, b) => a + b, 0),
    hits: c.check.ok,
    misses: c.check.miss,
    writes: c.write.ok,
    deletes: c.del.ok + c.del.miss,
    refused: { ratelimited: sum('ratelimited'), forbidden: sum('forbidden'), expired: sum('expired'), overloaded: sum('overloaded') },
    skipped: sum('skipped'),
    errors: sum('error'),
    other: c.other.ok,
  };
}
