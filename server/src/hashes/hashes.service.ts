import type { AuditContext } from '../audit/audit-row.js';
import { Inject, Injectable } from '@nestjs/common';
import type { HashDetail, HashItem, HashPage, HashWriteResult, WriteStatus } from '../../../shared/api/api-types.js';
import { ApiError, NotFoundError } from '../common/api-error.js';
import { parseDigestHex } from '../common/validation.js';
import type { AppConfig } from '../config/app-config.js';
import { FlagsService } from '../flags/flags.service.js';
import { FUZZY_BACKEND, flagsOf, type FuzzyBackend, type StoredHash, type UpdateResult } from '../fuzzy/fuzzy-backend.js';
import { HASH_CATALOGUE, type HashCatalogue } from '../fuzzy/hash-catalogue.js';
import { afterCursor, prefixRange } from '../fuzzy/hash-range.js';
import { CONFIG } from '../runtime.js';
import { type FlagNames, hashFlags, type ListQuery, type PatchInput, type WriteInput, toHashItem } from './hash-input.js';
import { requireCatalogue } from './require-catalogue.js';

/**
 * Hashes over REST. Listings and a hash's shingles come from the backend's catalogue (the SQLite file); every change
 * goes through FuzzyBackend.update, like a UDP WRITE, so it is committed by the single writer and seen by the UDP
 * plane as soon as it is acknowledged.
 */
@Injectable()
export class HashesService {
  constructor(
    @Inject(FUZZY_BACKEND) private readonly backend: FuzzyBackend,
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(HASH_CATALOGUE) private readonly catalogue: HashCatalogue | null,
    private readonly flags: FlagsService,
  ) {}

  async list(query: ListQuery): Promise<HashPage> {
    const catalogue = requireCatalogue(this.catalogue);
    await catalogue.settle();
    const range = afterCursor(prefixRange(query.prefix), query.cursor);
    const rows = catalogue.page({ range, flag: query.flag, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map((r) => toHashItem(r, this.nameOf));
    return { items, nextCursor: more ? items[items.length - 1].digest : null };
  }

  async detail(digestHex: string): Promise<HashDetail> {
    const digest = parseDigestHex(digestHex);
    const catalogue = this.catalogue;
    if (!catalogue) {
      // Without a catalogue the backend shows the hash but not its shingles.
      const stored = await this.backend.get(digest);
      if (!stored) throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
      return { ...this.fromStored(stored), shingles: [] };
    }
    await catalogue.settle();
    const row = catalogue.find(digest);
    if (!row) throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
    const item = toHashItem(row, this.nameOf);
    const shingles = catalogue.shingles(row.id);
    return { ...item, shingles: shingles.every((s) => s === null) ? [] : shingles.map((s) => (s === null ? null : s.toString())) };
  }

  /** One stored hash as listed (with its shingle count where the catalogue knows it), or null. */
  async item(digest: Buffer): Promise<HashItem | null> {
    if (!this.catalogue) {
      const stored = await this.backend.get(digest);
      return stored ? this.fromStored(stored) : null;
    }
    const row = this.catalogue.find(digest);
    return row ? toHashItem(row, this.nameOf) : null;
  }

  /**
   * rspamd 4.x's WRITE (update-rule.ts, rule `multi`): a new digest is added; a flag the hash holds adds the weight;
   * another flag takes a slot of its own (the highest value becomes the primary slot).
   */
  async write(input: WriteInput, audit: AuditContext): Promise<HashWriteResult> {
    this.assertWritable();
    const result = await this.backend.update({ kind: 'write', rule: 'multi', ...input }, { countShingles: true, audit });
    return { status: result.status as WriteStatus, hash: this.itemOf(input.digest, result) };
  }

  /** Sets every slot (`flags`) or the primary slot's flag and/or weight absolutely, keeping the time of the last WRITE. */
  async patch(digestHex: string, patch: PatchInput, audit: AuditContext): Promise<HashItem> {
    this.assertWritable();
    const digest = parseDigestHex(digestHex);
    // An expired hash not yet purged is gone for CHECK; it is gone for the API too.
    if (!(await this.backend.get(digest))) throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
    const result = await this.backend.update({ kind: 'set', digest, ...patch }, { countShingles: true, audit });
    if (result.status === 'not-found') throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
    return this.itemOf(digest, result);
  }

  async remove(digestHex: string, audit: AuditContext): Promise<void> {
    this.assertWritable();
    const result = await this.backend.update({ kind: 'del', digest: parseDigestHex(digestHex) }, { audit });
    if (result.status === 'not-found') throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
  }

  assertWritable(): void {
    if (this.config.readOnly) throw new ApiError(409, 'the store is read-only (FUZZYD_READ_ONLY)');
  }

  /**
   * The hash as the change left it, from the update's own result: acknowledged is committed, so there is nothing to
   * wait for or read back.
   */
  private itemOf(digest: Buffer, result: UpdateResult): HashItem {
    if (!result.hash) throw new NotFoundError(`no hash ${digest.toString('hex')}`);
    return { ...this.fromStored(result.hash), shingles: result.shingles ?? 0 };
  }

  /** The backend's view (backend.get or an update's result), with every slot. */
  private fromStored(stored: StoredHash): HashItem {
    return {
      digest: stored.digest.toString('hex'),
      flag: stored.flag,
      flagName: this.flags.nameOf(stored.flag),
      value: stored.value,
      flags: hashFlags(flagsOf(stored), this.nameOf),
      time: stored.time,
      shingles: 0,
    };
  }

  private readonly nameOf: FlagNames = (flag) => this.flags.nameOf(flag);
}
