import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { NeuralJob, NeuralJobTrigger } from '../../../../shared/api/neural.js';
import { ConflictError } from '../../common/api-error.js';
import type { Logger } from '../../common/logger.js';
import { LOGGER } from '../../runtime.js';
import { NEURAL_CONNECTION, type NeuralConnection } from '../neural-connection.js';
import { NeuralDisabledError } from '../neural-errors.js';
import { ruleConfig } from '../neural-options.js';
import { RedisUnavailableError } from '../redis/redis-unavailable.error.js';
import { NeuralTrainingError, TrainingAbortedError } from '../training/errors.js';
import { JobRegistry, jobSnapshot } from './job-registry.js';
import { runTraining, TrainingRefusedError } from './train-pipeline.js';

/**
 * Trainings of this process run one at a time: the event loop serves the UDP plane, and on a small machine a second
 * worker thread would only slow both. Jobs for other sets wait in FIFO order; a second job for the same set is
 * refused (409) rather than queued, because it would train the same vectors again.
 */
const MAX_RUNNING = 1;
const SHUTDOWN_WAIT_MS = 5000;
const UNLOCK_RETRY_MS = 2000;

@Injectable()
export class NeuralTrainingService implements OnModuleDestroy {
  private readonly registry = new JobRegistry();
  private readonly queue: NeuralJob[] = [];
  private readonly aborts = new Map<string, AbortController>();
  private readonly running = new Set<Promise<void>>();
  /** ANN keys whose lock we took and could not remove (Redis was down); retried until it works. */
  private readonly pendingUnlocks = new Set<string>();
  private unlockTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(
    @Inject(NEURAL_CONNECTION) private readonly connection: NeuralConnection | null,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The Redis side, or 503 "neural features are off". */
  require(): NeuralConnection {
    if (!this.connection) throw new NeuralDisabledError();
    return this.connection;
  }

  /**
   * Queues a training; the caller has checked that the set exists and is trainable. Refused (409) while another
   * job of this process is queued or running for the same set.
   */
  enqueue(rule: string, settings: string, trigger: NeuralJobTrigger): NeuralJob {
    const conn = this.require();
    if (this.stopping) throw new ConflictError('fuzzyd is shutting down; no new trainings');
    const active = this.registry.activeFor(rule, settings);
    if (active) {
      throw new ConflictError(`rule '${rule}' settings '${settings}' already has a ${active.state} training (job ${active.id})`);
    }
    const maxEpochs = ruleConfig(conn.settings.config, rule).train.max_iterations;
    const job = this.registry.create(rule, settings, trigger, maxEpochs);
    this.queue.push(job);
    this.logger.info({ job: job.id, rule, settings, trigger }, 'neural: training queued');
    this.pump();
    return jobSnapshot(job);
  }

  job(id: string): NeuralJob | undefined {
    const job = this.registry.get(id);
    return job && jobSnapshot(job);
  }

  jobs(): NeuralJob[] {
    return this.registry.list().map(jobSnapshot);
  }

  activeJobFor(rule: string, settings: string): NeuralJob | undefined {
    return this.registry.activeFor(rule, settings);
  }

  /** Aborts queued and running jobs (their locks are released) and waits a little for them to settle. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.unlockTimer) clearTimeout(this.unlockTimer);
    for (const job of this.queue.splice(0)) this.finish(job, 'failed', 'aborted: fuzzyd is shutting down');
    for (const ac of this.aborts.values()) ac.abort();
    const settled = Promise.allSettled([...this.running]);
    await Promise.race([settled, new Promise((r) => setTimeout(r, SHUTDOWN_WAIT_MS).unref())]);
  }

  private pump(): void {
    while (!this.stopping && this.running.size < MAX_RUNNING && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const run = this.run(job).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async run(job: NeuralJob): Promise<void> {
    const ac = new AbortController();
    this.aborts.set(job.id, ac);
    job.state = 'running';
    job.startedAt = new Date().toISOString();
    const log = this.logger.child({ job: job.id, rule: job.rule, settings: job.settings });
    log.info('neural: training started');
    try {
      const conn = this.require();
      await this.retryPendingUnlocks();
      await runTraining(
        {
          repo: conn.repo,
          config: conn.settings.config,
          hostname: conn.settings.hostname,
          pca: conn.settings.pca,
          qualityGate: conn.settings.qualityGate,
          seed: this.registry.lastGateRejected(job) ? freshSeed() : undefined,
          logger: log,
          onUnlockFailed: (key) => this.addPendingUnlock(key),
        },
        job,
        ac.signal,
      );
      this.finish(job, 'succeeded', null);
      log.info(
        { version: job.publishedVersion, key: job.newKey, epochs: job.epoch, validationCost: job.bestValidationCost },
        'neural: ANN published',
      );
    } catch (err) {
      const message = describeFailure(err);
      this.finish(job, 'failed', message);
      log.warn({ err: message }, 'neural: training failed');
    } finally {
      this.aborts.delete(job.id);
    }
  }

  private finish(job: NeuralJob, state: 'succeeded' | 'failed', error: string | null): void {
    job.state = state;
    job.error = error;
    job.finishedAt = new Date().toISOString();
    this.registry.prune();
  }

  private addPendingUnlock(key: string): void {
    this.pendingUnlocks.add(key);
    this.scheduleUnlockRetry();
  }

  private scheduleUnlockRetry(): void {
    if (this.unlockTimer || this.stopping || this.pendingUnlocks.size === 0) return;
    this.unlockTimer = setTimeout(() => {
      this.unlockTimer = null;
      void this.retryPendingUnlocks().finally(() => this.scheduleUnlockRetry());
    }, UNLOCK_RETRY_MS);
    this.unlockTimer.unref();
  }

  /** Removes a lock we left behind, unless another host has taken it over meanwhile. */
  private async retryPendingUnlocks(): Promise<void> {
    const conn = this.connection;
    if (!conn) return;
    for (const key of [...this.pendingUnlocks]) {
      try {
        const state = await conn.repo.lockState(key);
        if (state.locked && state.hostname === conn.settings.hostname) await conn.repo.forceUnlock(key);
        this.pendingUnlocks.delete(key);
      } catch {
        return; // still down; try again later
      }
    }
  }
}

/** A random non-zero kann generator state. */
function freshSeed(): [bigint, bigint] {
  const b = randomBytes(16);
  return [b.readBigUInt64LE(0) | 1n, b.readBigUInt64LE(8)];
}

function describeFailure(err: unknown): string {
  if (err instanceof TrainingAbortedError) return 'aborted';
  if (err instanceof TrainingRefusedError || err instanceof NeuralTrainingError) return err.message;
  if (err instanceof RedisUnavailableError) return `${err.message} (the training was abandoned)`;
  return `internal error: ${(err as Error)?.message ?? String(err)}`;
}
