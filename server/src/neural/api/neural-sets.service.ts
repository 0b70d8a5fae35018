import { Injectable } from '@nestjs/common';
import type {
  NeuralJob, NeuralProfileDeleteResult, NeuralSetItem, NeuralUnlockResult, NeuralVectorPush, NeuralVectorPushResult,
} from '../../../../shared/api/neural.js';
import { ConflictError, NotFoundError, ValidationError } from '../../common/api-error.js';
import { currentProfile, vectorWidth } from '../current-profile.js';
import type { NeuralConnection } from '../neural-connection.js';
import { NeuralLockedError } from '../neural-errors.js';
import { ruleConfig } from '../neural-options.js';
import { NeuralTrainingService } from '../jobs/neural-training.service.js';
import { providersRefusal } from '../jobs/train-pipeline.js';
import { layoutOf, type NeuralGeneration } from '../redis/neural-layout.js';
import type { ProfileInfo, ProfileListing } from '../redis/neural-redis.types.js';
import { canPushTrainVector } from '../training/sample-selection.js';
import { encodeVector } from '../training/vector-codec.js';
import { type SetRef, toSetItem } from './set-item.js';

interface ResolvedSet {
  conn: NeuralConnection;
  set: SetRef;
  listing: ProfileListing;
}

/**
 * What the neural REST routes do with one rule × settings; Redis access goes through the repository only. A route
 * acts on the generation FUZZYD_NEURAL_LAYOUT selects for the pair (neural-layout.ts), or on the one `layout` names.
 */
@Injectable()
export class NeuralSetsService {
  constructor(private readonly training: NeuralTrainingService) {}

  async list(): Promise<NeuralSetItem[]> {
    const conn = this.training.require();
    const sets = await conn.repo.discoverSets(conn.settings.layout);
    const items: NeuralSetItem[] = [];
    for (const set of sets) {
      const listing = await conn.repo.listProfiles(set.rule, set.settings, undefined, set.generation);
      items.push(await this.item({ conn, set, listing }));
    }
    return items;
  }

  async get(rule: string, settings: string, layout?: NeuralGeneration): Promise<NeuralSetItem> {
    return this.item(await this.resolve(rule, settings, layout));
  }

  /** Checks what can be checked now, so the caller gets a clear refusal instead of a failed job. */
  async train(rule: string, settings: string, layout?: NeuralGeneration): Promise<NeuralJob> {
    const { conn, set, listing } = await this.resolve(rule, settings, layout);
    this.refuseWhileActive(rule, settings, 'train');
    const current = this.requireCurrent(set.zsetKey, listing);
    if (current.profile.providers_digest !== undefined) throw new ConflictError(providersRefusal(current.redisKey));
    const lock = current.key.lock;
    if (lock.held) {
      throw new NeuralLockedError(
        `rule '${rule}' settings '${settings}' is being trained by ${lock.hostname ?? 'unknown'} ` +
          `(lock on ${current.redisKey} taken at ${lock.lockTime}, stale from ${lock.expiresAt})`,
      );
    }
    const counts = await conn.repo.vectorCounts(current.redisKey);
    const pending = set.generation === '4.x' ? await conn.repo.pendingCounts(rule, settings) : { spam: 0, ham: 0 };
    if (counts.spam + pending.spam === 0 || counts.ham + pending.ham === 0) {
      throw new ConflictError(
        `rule '${rule}' settings '${settings}' needs vectors of both classes to train; ` +
          `${current.redisKey} has ${counts.spam} spam and ${counts.ham} ham` +
          (set.generation === '4.x' ? ` (pending sets: ${pending.spam} spam, ${pending.ham} ham)` : ''),
      );
    }
    return this.training.enqueue(rule, settings, 'manual', set.generation);
  }

  /** rspamd's error-path unlock (`HDEL key lock`, spec §8) on every profile of the set that has a lock. */
  async unlock(rule: string, settings: string, layout?: NeuralGeneration): Promise<NeuralUnlockResult> {
    const { conn, listing } = await this.resolve(rule, settings, layout);
    this.refuseWhileActive(rule, settings, 'unlock');
    const keys: string[] = [];
    for (const p of listing.profiles) {
      if (p.key.lock.locked && (await conn.repo.forceUnlock(p.redisKey))) keys.push(p.redisKey);
    }
    return { removed: keys.length > 0, keys };
  }

  async deleteProfile(
    rule: string,
    settings: string,
    version: number,
    digest?: string,
    layout?: NeuralGeneration,
  ): Promise<NeuralProfileDeleteResult> {
    const { conn, set, listing } = await this.resolve(rule, settings, layout);
    this.refuseWhileActive(rule, settings, 'delete a profile of');
    const current = currentProfile(listing);
    const deleted = await conn.repo.deleteProfile(rule, settings, version, digest, set.generation);
    if (deleted.members.length === 0) {
      throw new NotFoundError(`rule '${rule}' settings '${settings}' has no profile with version ${version}${digest ? ` and digest ${digest}` : ''}`);
    }
    const loaded = current !== null && current.version === version && current.key.hasAnn && (!digest || current.digest === digest);
    const warning = loaded ? loadedAnnWarning(version, set.generation) : null;
    return { removed: deleted.members.length, deletedKeys: deleted.deletedKeys, warning };
  }

  /**
   * Stores one training vector as a scanner would (spec §5.3 steps 2–4): under the current profile, not while it is
   * locked, and only when rspamd's sampling rule (§5.4) accepts it.
   */
  async pushVector(
    rule: string,
    settings: string,
    input: NeuralVectorPush,
    layout?: NeuralGeneration,
  ): Promise<NeuralVectorPushResult> {
    const { conn, set, listing: found } = await this.resolve(rule, settings, layout);
    let listing = found;
    const staticSymbols = conn.settings.config.rules[rule]?.symbols[settings];
    if (!currentProfile(listing) && set.configured && staticSymbols) {
      // A scanner creates version 0 for a set without profiles (§5.3 step 2); for a static profile we can too.
      await conn.repo.createVersionZero(rule, settings, staticSymbols, undefined, set.generation);
      listing = await conn.repo.listProfiles(rule, settings, undefined, set.generation);
    }
    const current = this.requireCurrent(set.zsetKey, listing);
    const width = vectorWidth(set.generation, current.symbolsCount);
    if (input.values.length !== width) {
      throw new ValidationError(
        'values',
        `must have ${width} numbers (${layoutOf(set.generation).metatokens} metatokens of the ${set.generation} layout + ` +
          `${current.symbolsCount} symbols of profile version ${current.version}), got ${input.values.length}`,
      );
    }
    const counts = await conn.repo.vectorCounts(current.redisKey);
    const base = {
      vectors: { spam: counts.spam, ham: counts.ham, layout: counts.layout },
      redisKey: current.redisKey,
      version: current.version,
    };
    const len = await conn.repo.vectorsLen(current.redisKey, counts.layout === 'list' ? 'list' : 'set', set.generation);
    if (len.locked && len.holder === 'obsolete') {
      return { stored: false, reason: `${current.redisKey} is obsolete: a newer version was saved from it`, ...base };
    }
    if (len.locked) return { stored: false, reason: `${current.redisKey} is locked for learning by ${len.holder}`, ...base };

    const train = ruleConfig(conn.settings.config, rule).train;
    const decision = canPushTrainVector(
      {
        cls: input.class,
        nSpam: len.spam,
        nHam: len.ham,
        maxTrains: train.max_trains,
        learnMode: train.learn_mode,
        classesBias: train.classes_bias,
        spamSkipProb: train.spam_skip_prob,
        hamSkipProb: train.ham_skip_prob,
        trainProb: train.train_prob,
      },
      Math.random(),
    );
    if (!decision.push) return { stored: false, reason: decision.reason, ...base };
    const pushed = await conn.repo.pushVector(current.redisKey, input.class, await encodeVector(input.values));
    if (!pushed.added) return { stored: false, reason: 'an identical vector is already stored (the set deduplicates)', ...base };
    return { stored: true, reason: decision.reason, ...base };
  }

  private async item({ conn, set, listing }: ResolvedSet): Promise<NeuralSetItem> {
    const current = currentProfile(listing);
    const counts = current ? await conn.repo.vectorCounts(current.redisKey) : null;
    const pending = set.generation === '4.x' ? await conn.repo.pendingCounts(set.rule, set.settings) : null;
    const active = this.training.activeJobFor(set.rule, set.settings);
    return toSetItem(set, ruleConfig(conn.settings.config, set.rule), listing, counts, pending, active?.id ?? null);
  }

  /** A configured rule × settings, or one that exists in Redis (in the generation asked for); anything else is 404. */
  private async resolve(rule: string, settings: string, layout?: NeuralGeneration): Promise<ResolvedSet> {
    const conn = this.training.require();
    const configured = conn.settings.config.rules[rule]?.settings.includes(settings) ?? false;
    const chosen = await conn.repo.resolveGeneration(rule, settings, conn.settings.layout);
    const generation = layout ?? chosen;
    const listing = await conn.repo.listProfiles(rule, settings, undefined, generation);
    if (!configured && listing.profiles.length === 0 && listing.invalid.length === 0) {
      const known = Object.values(conn.settings.config.rules).map((r) => `${r.name}: ${r.settings.join(', ')}`);
      throw new NotFoundError(
        `no neural rule '${rule}' with settings '${settings}': not configured (${known.join('; ')}) and ${listing.zsetKey} is empty`,
      );
    }
    const set = { rule, settings, zsetKey: listing.zsetKey, configured, generation, selected: generation === chosen };
    return { conn, set, listing };
  }

  private requireCurrent(zsetKey: string, listing: ProfileListing): ProfileInfo {
    const current = currentProfile(listing);
    if (!current) {
      throw new ConflictError(
        `${zsetKey} has no profile yet: rspamd creates version 0 at its first scan for this set ` +
          '(fuzzyd creates it only for static profiles, rules.<rule>.symbols.<settings>)',
      );
    }
    return current;
  }

  private refuseWhileActive(rule: string, settings: string, what: string): void {
    const active = this.training.activeJobFor(rule, settings);
    if (active) {
      throw new ConflictError(`cannot ${what} rule '${rule}' settings '${settings}' while job ${active.id} is ${active.state}`);
    }
  }
}

/**
 * rspamd's scanners load the current profile's ANN and keep it in memory (neural.lua `load_new_ann`); after the
 * profile is gone they look up a key that no longer exists at every `watch_interval` and score with what they hold
 * until a newer version is published or they restart. 4.x scanners also send new vectors to the best remaining
 * profile, which after a training is the obsolete trained-from key, so they store none (neural-4x.md §6.3).
 */
function loadedAnnWarning(version: number, generation: NeuralGeneration): string {
  const text =
    `version ${version} was the current profile with an ANN: rspamd workers that loaded it keep scoring with it and ` +
    'look for its deleted key at every watch_interval until a newer version is trained or rspamd restarts';
  if (generation === '3.4') return text;
  return `${text}; rspamd 4.x scanners meanwhile send new vectors to the best remaining profile, and refuse them ("locked for learning: obsolete") when that is the key this version was trained from`;
}
