import { Inject, Injectable } from '@nestjs/common';
import type { HashItem, LookupHash, LookupPart, LookupResult, LookupShingleMatch } from '../../../shared/api/api-types.js';
import { SHINGLE_COUNT } from '../../../shared/protocol/constants.js';
import { AUDIT_LOG, type AuditLog } from '../audit/audit-log.js';
import { toEntry } from '../audit/audit.controller.js';
import { ApiError, ValidationError } from '../common/api-error.js';
import type { AppConfig } from '../config/app-config.js';
import { HASH_CATALOGUE, type HashCatalogue } from '../fuzzy/hash-catalogue.js';
import { prefixRange } from '../fuzzy/hash-range.js';
import { HashesService } from '../hashes/hashes.service.js';
import { toHashItem } from '../hashes/hash-input.js';
import { FlagsService } from '../flags/flags.service.js';
import { CONFIG } from '../runtime.js';
import { type FuzzyOption, parseFuzzyOption } from './fuzzy-option.js';
import { RspamdControllerClient } from './rspamd-controller.client.js';

const HISTORY_ROWS = 20;

/**
 * From a message to the hashes that hit it: rspamd's controller computes the message's digests (per fuzzy_check rule,
 * one per text part and attachment) and scans it once (its FUZZY_* options name the stored digest a shingle match
 * found); fuzzyd then shows, per part, the stored hash with the same digest and the stored hashes its shingles hit,
 * each with its flags, age and audit trail (docs/spec/message-lookup.md).
 */
@Injectable()
export class LookupService {
  private readonly controller: RspamdControllerClient | null;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(HASH_CATALOGUE) private readonly catalogue: HashCatalogue | null,
    private readonly hashes: HashesService,
    private readonly flags: FlagsService,
  ) {
    this.controller = config.rspamdControllerUrl ? new RspamdControllerClient(config.rspamdControllerUrl, config.rspamdControllerPassword) : null;
  }

  async lookup(message: Buffer, flagAsked: number | undefined): Promise<LookupResult> {
    const controller = this.controller;
    if (!controller) {
      throw new ApiError(
        501,
        "message lookup needs an rspamd >= 3.6 controller to compute the message's fuzzy hashes: set FUZZYD_RSPAMD_CONTROLLER_URL (and FUZZYD_RSPAMD_CONTROLLER_PASSWORD)",
      );
    }
    if (message.length === 0) throw new ValidationError('body', 'must be a message (EML), sent as message/rfc822');
    const notes: string[] = [];
    const flag = flagAsked ?? (await this.defaultFlag(controller, notes));
    const { rules } = await controller.hashes(message, flag);
    const symbols = await controller.fuzzySymbols(message).catch((err: Error) => {
      notes.push(`the controller's scan failed, so shingle matches are not shown: ${err.message}`);
      return [];
    });
    const options = symbols.flatMap((s) => s.options.map(parseFuzzyOption)).filter((o): o is FuzzyOption => o !== null);
    if (!this.catalogue && options.some((o) => o.probability < 1)) {
      notes.push('shingle matches name a stored digest by its first 10 hex digits, which only the SQLite backend can search');
    }
    await this.catalogue?.settle();
    const result: LookupResult = { controller: controller.url, flag, rules: [], symbols, notes };
    for (const [rule, digests] of Object.entries(rules)) {
      const parts: LookupPart[] = [];
      for (const [i, digest] of digests.entries()) parts.push(await this.part(i + 1, digest, options));
      result.rules.push({ rule, parts });
    }
    const unplaced = options.filter((o) => o.probability < 1 && o.queried === null);
    if (unplaced.length > 0) {
      // rspamd 3.x names the stored digest of a shingle match but not the part's own digest.
      notes.push(`shingle matches this rspamd does not tie to a part (rspamd >= 4.0 does): ${unplaced.map((o) => `${o.found}… (${o.probability})`).join(', ')}`);
    }
    if (Object.keys(rules).length === 0) notes.push(`no fuzzy_check rule of the controller maps flag ${flag}`);
    return result;
  }

  /** The first flag of the controller's first rule (rspamd's stock rule: 1, FUZZY_DENIED). */
  private async defaultFlag(controller: RspamdControllerClient, notes: string[]): Promise<number> {
    const storages = await controller.storages().catch(() => null);
    const flags = storages?.flatMap((s) => Object.values(s.flags)).sort((a, b) => a - b) ?? [];
    if (flags.length > 0) return flags[0];
    notes.push('the controller does not list its fuzzy rules (rspamd < 3.8?): flag 1 was used');
    return 1;
  }

  private async part(index: number, digest: string, options: FuzzyOption[]): Promise<LookupPart> {
    const exact = await this.stored(Buffer.from(digest, 'hex'));
    const shingles: LookupShingleMatch[] = [];
    for (const o of options) {
      if (o.queried === null || !digest.startsWith(o.queried) || o.probability >= 1) continue;
      for (const item of this.byPrefix(o.found)) {
        if (shingles.some((s) => s.hash.digest === item.digest)) continue;
        shingles.push({ ...this.described(item), positions: Math.round(o.probability * SHINGLE_COUNT), probability: o.probability });
      }
    }
    shingles.sort((a, b) => b.positions - a.positions);
    return { index, digest, exact, shingles };
  }

  /** Stored hashes whose digest starts with `prefix` (rspamd shows 10 hex digits: one hash, but say every one). */
  private byPrefix(prefix: string): HashItem[] {
    if (!this.catalogue) return [];
    return this.catalogue.page({ range: prefixRange(prefix), flag: null, limit: 4 }).map((row) => toHashItem(row, (flag) => this.flags.nameOf(flag)));
  }

  private async stored(digest: Buffer): Promise<LookupHash | null> {
    const item = await this.hashes.item(digest);
    return item ? this.described(item) : null;
  }

  private described(item: HashItem): LookupHash {
    const history = this.audit.search({ digest: Buffer.from(item.digest, 'hex'), limit: HISTORY_ROWS }).map(toEntry);
    return { hash: item, ageSeconds: Math.max(0, Math.floor(Date.now() / 1000) - item.time), history };
  }
}
