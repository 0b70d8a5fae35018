import type { NeuralJob } from '../../../../shared/api/neural.js';
import type { Logger } from '../../common/logger.js';
import { currentProfile, vectorWidth } from '../current-profile.js';
import type { NeuralConfig, NeuralRuleConfig } from '../neural-config.js';
import { ruleConfig } from '../neural-options.js';
import { lockExpireSeconds, unixSeconds } from '../redis/lock-state.js';
import type { NeuralRedisRepository } from '../redis/neural-redis.repository.js';
import { buildProfile, symbolsDigest } from '../redis/profile-codec.js';
import { packAnn, packPca } from '../training/ann-envelope.js';
import { serializeRocThresholds } from '../training/roc-thresholds.js';
import { ruleNetwork, ruleRoc } from '../training/rule-network.js';
import { TrainingAbortedError } from '../training/errors.js';
import { trainInWorker, type TrainInWorkerOptions, type TrainProgress } from '../training/trainer-client.js';
import { decodeTrainingRows } from './training-rows.js';

export interface PipelineContext {
  repo: NeuralRedisRepository;
  config: NeuralConfig;
  hostname: string;
  /** NeuralSettings.pca: the consuming rspamd can run a PCA-reduced ANN. */
  pca: boolean;
  /** NeuralSettings.qualityGate: do not publish what rspamd 4.1.1's gate rejects. */
  qualityGate: boolean;
  logger: Logger;
  /** Called when the lock could not be removed after a failure (Redis gone); the caller retries later. */
  onUnlockFailed(annKey: string): void;
  worker?: TrainInWorkerOptions;
  /**
   * kann generator start state; default = rspamd's fixed state (a first training equals rspamd's first after a
   * restart). Set to a fresh one for a retry after the quality gate rejected the last model: rspamd retries with a
   * new random initialisation (its generator has moved on), and the same seed would only repeat the rejected model.
   */
  seed?: [bigint, bigint];
}

/** A training that cannot start or finish for a reason worth showing as is (no stack, no class name). */
export class TrainingRefusedError extends Error {
  override readonly name = 'TrainingRefusedError';
}

/** Why `rule` must not be trained for an rspamd without BLAS, or null (NeuralSettings.pca). */
export function pcaRefusal(rule: NeuralRuleConfig, pca: boolean): string | null {
  if (rule.max_inputs === undefined || pca) return null;
  return (
    `rule ${rule.name} sets max_inputs (PCA), which an rspamd built without BLAS (Debian's packages) cannot run: it ` +
    'drops max_inputs, loads the reduced ANN and then fails every scan. Remove max_inputs, or set FUZZYD_NEURAL_PCA=true ' +
    'if the rspamd that loads these ANNs has BLAS'
  );
}

/**
 * One training of a rule × settings, as rspamd's primary controller does it (spec/neural.md §7, §15), writing
 * progress into `job` as it goes: pick the current profile, take its lock, read and check the vectors, train in a
 * worker thread, publish the next version with `save_unlock`, and drop the trained-from vectors. Any failure after
 * the lock was taken removes it again (`HDEL lock`, as rspamd's error path does) before the error propagates.
 */
export async function runTraining(ctx: PipelineContext, job: NeuralJob, signal: AbortSignal): Promise<void> {
  const { repo, hostname } = ctx;
  const rule = ruleConfig(ctx.config, job.rule);
  const refusal = pcaRefusal(rule, ctx.pca);
  if (refusal) throw new TrainingRefusedError(refusal);
  const listing = await repo.listProfiles(job.rule, job.settings);
  const current = currentProfile(listing);
  if (!current) throw new TrainingRefusedError(`${listing.zsetKey} has no profile to train from`);
  const oldKey = current.redisKey;
  const symbols = current.profile.symbols;
  job.fromVersion = current.version;
  job.oldKey = oldKey;

  const expire = lockExpireSeconds(rule.watch_interval);
  const lock = await repo.tryLock(oldKey, { watchInterval: rule.watch_interval, hostname });
  if (!lock.acquired) {
    throw new TrainingRefusedError(`${oldKey} is locked for training by ${lock.hostname} since ${lock.lockTime}`);
  }
  // maybe_lock writes `now`, and a lock equal to the current second counts as free (§6.3): move it one second back
  // at once, so another trainer polling in this same second cannot take it over. Then keep it fresh (§15 step 1).
  const refresh = (): Promise<boolean> => repo.refreshLock(oldKey, unixSeconds(), hostname);
  await refresh();
  let locked = true;
  const refresher = setInterval(() => {
    refresh().catch((err: unknown) => ctx.logger.warn({ key: oldKey, err: (err as Error).message }, 'neural: lock refresh failed'));
  }, Math.max(1000, (expire * 1000) / 2));
  refresher.unref();
  try {
    const width = vectorWidth(symbols.length);
    const stored = await repo.readVectors(oldKey);
    const spam = await decodeTrainingRows(stored.spam, width);
    const ham = await decodeTrainingRows(stored.ham, width);
    job.vectors = {
      spam: spam.rows.length,
      ham: ham.rows.length,
      layout: stored.layout,
      invalid: spam.invalid + ham.invalid,
      wrongWidth: spam.wrongWidth + ham.wrongWidth,
      expectedWidth: width,
    };
    if (spam.rows.length === 0 || ham.rows.length === 0) {
      const dropped = job.vectors.invalid + job.vectors.wrongWidth;
      throw new TrainingRefusedError(
        `need usable vectors of both classes, have ${spam.rows.length} spam and ${ham.rows.length} ham` +
          (dropped > 0 ? ` (${dropped} dropped: invalid or not ${width} values wide)` : ''),
      );
    }
    throwIfAborted(signal);

    const result = await trainInWorker(
      {
        spam: spam.rows,
        ham: ham.rows,
        maxIterations: rule.train.max_iterations,
        learningRate: rule.train.learning_rate,
        hiddenLayerMult: rule.hidden_layer_mult,
        maxInputs: rule.max_inputs,
        network: ruleNetwork(rule),
        roc: ruleRoc(rule),
        seed: ctx.seed,
      },
      (p) => recordProgress(job, p),
      signal,
      ctx.worker,
    );
    job.nInputs = result.nInputs;
    job.hidden = result.hidden;
    job.bestValidationCost = finiteOrNull(result.bestValidationCost);
    job.bestEpoch = result.bestEpoch === null ? null : result.bestEpoch + 1; // the trainer counts from 0, the API from 1
    job.stoppedEarly = result.stoppedEarly;
    job.report = { network: result.network, hiddenLayers: result.hiddenLayers, ...result.report, gate: { enforced: ctx.qualityGate, ...result.report.gate } };
    // rspamd 4.1.1 (§5): a degenerate model is not published; the catch below releases the lock, the sets stay
    if (ctx.qualityGate && !result.report.gate.passed) {
      throw new TrainingRefusedError(`rejected ANN ${rule.name}:${job.settings}: ${result.report.gate.reason}`);
    }
    const ann = await packAnn(result.kann);
    const pca = result.pca ? await packPca(result.pca) : undefined;
    throwIfAborted(signal);

    const digest = symbolsDigest(symbols);
    const version = await repo.nextVersion(listing.zsetKey, digest);
    const target = { prefix: ctx.config.prefix, rulePrefix: rule.prefix, settings: job.settings };
    const profile = buildProfile(target, symbols, version);
    // The zset score decides ties between equally close profiles (§4.4): a scanner that re-scored the old profile
    // moments ago must not outrank the new one, so publish strictly above every score seen.
    const topScore = listing.profiles.reduce((max, p) => Math.max(max, p.score), 0);
    const score = Math.max(Date.now() / 1000, topScore + 0.001);
    await repo.saveAndUnlock({
      zsetKey: listing.zsetKey,
      oldKey,
      profile,
      ann,
      pca,
      annExpire: rule.ann_expire,
      now: score,
      rocThresholds: serializeRocThresholds(result.report.rocThresholds),
    });
    locked = false;
    job.publishedVersion = version;
    job.newKey = profile.redis_key;
  } catch (err) {
    if (locked) await unlockAfterFailure(ctx, oldKey);
    throw err;
  } finally {
    clearInterval(refresher);
  }
}

async function unlockAfterFailure(ctx: PipelineContext, annKey: string): Promise<void> {
  try {
    await ctx.repo.forceUnlock(annKey);
  } catch {
    // While `lock` exists rspamd stores no vectors for this key (§6.1), so it must not be left behind.
    ctx.onUnlockFailed(annKey);
  }
}

function recordProgress(job: NeuralJob, p: TrainProgress): void {
  const entry = { epoch: p.epoch + 1, trainCost: p.trainCost, validationCost: finiteOrNull(p.validationCost) };
  job.epoch = entry.epoch;
  job.trainCost = entry.trainCost;
  job.validationCost = entry.validationCost;
  job.history.push(entry);
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new TrainingAbortedError('training aborted');
}
