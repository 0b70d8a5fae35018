import { Inject, Injectable } from '@nestjs/common';
import type Database from 'better-sqlite3';
import { ApiError } from '../common/api-error.js';
import type { AppConfig } from '../config/app-config.js';
import { CONFIG } from '../runtime.js';
import type { ExtraFlagPlan } from './extra-flag-queries.js';
import { type HashFilter, type HashRow, type HashRowWithCount, type PagePlan, SqliteHashQueries } from './sqlite-hash-queries.js';

export type { HashFilter, HashRow, HashRowWithCount, PagePlan } from './sqlite-hash-queries.js';

/** The main-thread read connection on the fuzzy store's file (SqliteBackend.readDb), or null with another backend. */
export const FUZZY_READ_DB = Symbol('FUZZY_READ_DB');

export interface FuzzyReadAccess {
  db: Database.Database;
  /** Resolves once every acknowledged update is in the tables (SqliteBackend.settle). */
  settle(): Promise<void>;
  /** Hashes per flag as acknowledged (SqliteBackend.countByFlag, from the in-memory index). */
  countByFlag(): { flag: number; count: number }[];
}

/**
 * Listing, searching and exporting hashes need an ordered index over all digests, which the SQLite file has and
 * rspamd's Redis layout does not (its keys can only be SCANned, unordered). With the Redis backend these answer
 * 501; reading, writing and deleting one hash work with both (through FuzzyBackend).
 */
@Injectable()
export class HashRepository {
  private readonly queries: SqliteHashQueries | null;

  constructor(@Inject(FUZZY_READ_DB) private readonly access: FuzzyReadAccess | null, @Inject(CONFIG) config: AppConfig) {
    this.queries = access ? new SqliteHashQueries(access.db, config.expireSeconds) : null;
  }

  /**
   * Waits until every update acknowledged so far is in the tables these queries read (the writer applies them in the
   * background): call it before a listing, so a hash the API just added is in it.
   */
  async settle(): Promise<void> {
    await this.access?.settle();
  }

  get available(): boolean {
    return this.queries !== null;
  }

  page(filter: HashFilter): HashRowWithCount[] {
    return this.sql().page(filter);
  }

  rows(filter: HashFilter): HashRow[] {
    return this.sql().rows(filter);
  }

  find(digest: Buffer): HashRowWithCount | null {
    return this.sql().find(digest);
  }

  shingles(id: number): (bigint | null)[] {
    return this.sql().shingles(id);
  }

  /** Stored hashes per flag (expired ones not yet purged included); empty when the backend cannot count per flag. */
  countByFlag(): { flag: number; count: number }[] {
    return this.access?.countByFlag() ?? [];
  }

  queryPlan(filter: HashFilter, extraPlan?: ExtraFlagPlan): PagePlan[] {
    return this.sql().queryPlan(filter, extraPlan);
  }

  ping(): void {
    this.queries?.ping();
  }

  private sql(): SqliteHashQueries {
    if (!this.queries) throw new ApiError(501, 'listing, searching and exporting hashes need the SQLite backend (FUZZYD_BACKEND=sqlite)');
    return this.queries;
  }
}
