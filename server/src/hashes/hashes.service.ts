import { Inject, Injectable } from '@nestjs/common';
import type { HashDetail, HashItem, HashPage, HashWriteResult, WriteStatus } from '../../../shared/api/api-types.js';
import { ApiError, NotFoundError } from '../common/api-error.js';
import { parseDigestHex } from '../common/validation.js';
import type { AppConfig } from '../config/app-config.js';
import { afterCursor, prefixRange } from '../database/hash-range.js';
import { HashRepository } from '../database/hash.repository.js';
import { FlagsService } from '../flags/flags.service.js';
import { FUZZY_BACKEND, type FuzzyBackend, type StoredHash } from '../fuzzy/fuzzy-backend.js';
import { CONFIG } from '../runtime.js';
import { type ListQuery, type WriteInput, toHashItem } from './hash-input.js';

/**
 * Hashes over REST. Reads come from the SQLite file (committed state); every change goes through FuzzyBackend.update,
 * like a UDP WRITE, so it is committed by the single writer and seen by the UDP plane as soon as it is acknowledged.
 */
@Injectable()
export class HashesService {
  constructor(
    @Inject(FUZZY_BACKEND) private readonly backend: FuzzyBackend,
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: HashRepository,
    private readonly flags: FlagsService,
  ) {}

  async list(query: ListQuery): Promise<HashPage> {
    await this.repo.settle();
    const range = afterCursor(prefixRange(query.prefix), query.cursor);
    const rows = this.repo.page({ range, flag: query.flag, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const items = rows.slice(0, query.limit).map((r) => toHashItem(r, this.flags.nameOf(r.flag)));
    return { items, nextCursor: more ? items[items.length - 1].digest : null };
  }

  async detail(digestHex: string): Promise<HashDetail> {
    const digest = parseDigestHex(digestHex);
    if (!this.repo.available) {
      // Without the SQLite file the backend shows the hash but not its shingles.
      const stored = await this.backend.get(digest);
      if (!stored) throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
      return { ...this.fromStored(stored), shingles: [] };
    }
    await this.repo.settle();
    const row = this.repo.find(digest);
    if (!row) throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
    const item = toHashItem(row, this.flags.nameOf(row.flag));
    const shingles = this.repo.shingles(row.id);
    return { ...item, shingles: shingles.every((s) => s === null) ? [] : shingles.map((s) => (s === null ? null : s.toString())) };
  }

  /** rspamd WRITE semantics: a new digest is added; the same flag adds the weight; another flag re-flags. */
  async write(input: WriteInput): Promise<HashWriteResult> {
    this.assertWritable();
    const result = await this.backend.update({ kind: 'write', rule: 'multi', ...input });
    const shingles = result.status === 'added' && input.shingles ? 32 : 0;
    return { status: result.status as WriteStatus, hash: await this.item(input.digest, result.hash, shingles) };
  }

  /** Sets flag and/or weight absolutely, keeping the time of the last WRITE. */
  async patch(digestHex: string, patch: { flag?: number; value?: number }): Promise<HashItem> {
    this.assertWritable();
    const digest = parseDigestHex(digestHex);
    // An expired hash not yet purged is gone for CHECK; it is gone for the API too.
    if (!(await this.backend.get(digest))) throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
    const result = await this.backend.update({ kind: 'set', digest, ...patch });
    if (result.status === 'not-found') throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
    return this.item(digest, result.hash, 0);
  }

  async remove(digestHex: string): Promise<void> {
    this.assertWritable();
    const result = await this.backend.update({ kind: 'del', digest: parseDigestHex(digestHex) });
    if (result.status === 'not-found') throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
  }

  assertWritable(): void {
    if (this.config.readOnly) throw new ApiError(409, 'the store is read-only (FUZZYD_READ_ONLY)');
  }

  /**
   * The hash as stored after a change: re-read from the file (committed state, true shingle count) when there is
   * one, else as the backend reported it (`shingles` is then what the change itself stored, as far as known).
   */
  private async item(digest: Buffer, stored: StoredHash | null, shingles: number): Promise<HashItem> {
    await this.repo.settle();
    const row = this.repo.available ? this.repo.find(digest) : null;
    if (row) return toHashItem(row, this.flags.nameOf(row.flag));
    if (!stored) throw new NotFoundError(`no hash ${digest.toString('hex')}`);
    return { ...this.fromStored(stored), shingles };
  }

  private fromStored(stored: StoredHash): HashItem {
    return {
      digest: stored.digest.toString('hex'),
      flag: stored.flag,
      flagName: this.flags.nameOf(stored.flag),
      value: stored.value,
      time: stored.time,
      shingles: 0,
    };
  }
}
