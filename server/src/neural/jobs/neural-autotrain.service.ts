import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type Logger, rateLimitedWarn } from '../../common/logger.js';
import { LOGGER } from '../../runtime.js';
import { currentProfile } from '../current-profile.js';
import type { NeuralRuleConfig } from '../neural-config.js';
import { autotrainEnabled } from '../neural-options.js';
import { NEURAL_CONNECTION, type NeuralConnection } from '../neural-connection.js';
import { unixSeconds } from '../redis/lock-state.js';
import type { NeuralGeneration } from '../redis/neural-layout.js';
import { RedisUnavailableError } from '../redis/redis-unavailable.error.js';
import { shouldTrain } from '../train-trigger.js';
import { NeuralTrainingService } from './neural-training.service.js';
import { pcaRefusal } from './train-pipeline.js';

/**
 * The automatic trigger of rspamd's primary controller (spec/neural.md §7): every `watch_interval` of a configured
 * rule, for each of its settings (configured, or found in Redis under the rule's prefix): `maybe_invalidate`, then
 * train the current profile when the trigger test passes, unless fuzzyd is already training the set or another host
 * holds its lock. Sets of rules that are not configured are only trained on demand, and so are the sets of the
 * generation FUZZYD_NEURAL_LAYOUT does not select (3.4 leftovers next to a 4.x zset).
 *
 * Timers are unref'd (they never keep the process alive) and chained, so a slow Redis cannot make ticks overlap.
 */
@Injectable()
export class NeuralAutotrainService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private readonly warn: (msg: string, ctx: Record<string, unknown>) => void;

  constructor(
    @Inject(NEURAL_CONNECTION) private readonly connection: NeuralConnection | null,
    private readonly training: NeuralTrainingService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.warn = rateLimitedWarn(logger, 60_000);
  }

  onApplicationBootstrap(): void {
    const conn = this.connection;
    if (!conn || !autotrainEnabled(conn.settings, conn.address.configured)) return;
    // rspamd runs the first check right after start (§7).
    for (const rule of Object.values(conn.settings.config.rules)) this.schedule(conn, rule, 0);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(conn: NeuralConnection, rule: NeuralRuleConfig, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      void this.tick(conn, rule).finally(() => this.schedule(conn, rule, rule.watch_interval * 1000));
    }, delayMs);
    timer.unref();
    this.timers.set(rule.name, timer);
  }

  /** One check of every set of `rule`; never throws. */
  async tick(conn: NeuralConnection, rule: NeuralRuleConfig): Promise<void> {
    try {
      const sets = (await conn.repo.discoverSets(conn.settings.layout)).filter((s) => s.rule === rule.name && s.selected);
      for (const set of sets) {
        if (this.stopped) return;
        await this.check(conn, rule, set.settings, set.zsetKey, set.generation);
      }
    } catch (err) {
      if (err instanceof RedisUnavailableError) {
        // None at the default address is the normal state of a host without Redis (neural-connection.ts).
        if (conn.address.configured) this.warn('neural: automatic training check skipped, Redis is down', { rule: rule.name });
        else this.logger.debug({ rule: rule.name }, 'neural: automatic training check skipped, no Redis at the default address');
      }
      else this.logger.warn({ rule: rule.name, err: (err as Error).message }, 'neural: automatic training check failed');
    }
  }

  private async check(
    conn: NeuralConnection,
    rule: NeuralRuleConfig,
    settings: string,
    zsetKey: string,
    generation: NeuralGeneration,
  ): Promise<void> {
    if (this.training.activeJobFor(rule.name, settings)) return;
    const refusal = pcaRefusal(rule, conn.settings.pca);
    if (refusal) return this.warn('neural: not training automatically', { rule: rule.name, settings, reason: refusal });
    // 4.1.1+ also collects tombstones older than max(1200, 4·watch_interval) (neural-4x.md §1.5).
    const cutoff = generation === '4.x' ? unixSeconds() - Math.max(1200, 4 * rule.watch_interval) : undefined;
    await conn.repo.invalidate(zsetKey, conn.settings.config.max_profiles, cutoff);
    const current = currentProfile(await conn.repo.listProfiles(rule.name, settings, undefined, generation));
    if (!current || current.profile.providers_digest !== undefined) return;
    const counts = await conn.repo.vectorCounts(current.redisKey);
    if (generation === '4.x') {
      const pending = await conn.repo.pendingCounts(rule.name, settings);
      counts.spam += pending.spam;
      counts.ham += pending.ham;
    }
    // rspamd 4.0.0 fixed 3.4's `learn_type` typo, so its own trigger is the balanced one (neural-4x.md §2.2).
    const mode = generation === '4.x' ? 'balanced' : conn.settings.trigger;
    const decision = shouldTrain(counts, rule.train, mode);
    if (!decision.train) return;
    if (current.key.lock.held) {
      this.logger.debug({ rule: rule.name, settings, holder: current.key.lock.hostname }, 'neural: set is locked, not training');
      return;
    }
    if (this.stopped || this.training.activeJobFor(rule.name, settings)) return;
    this.training.enqueue(rule.name, settings, 'auto', generation);
    this.logger.info({ rule: rule.name, settings, reason: decision.reason }, 'neural: automatic training triggered');
  }
}
