import type { ExtraFlagPlan, HashCatalogue, HashFilter, HashRow, HashRowWithCount, PagePlan } from '../../hash-catalogue.js';
import type { SqliteHashQueries } from './sqlite-hash-queries.js';

/** What the catalogue needs from the backend around the queries: the writer thread and the in-memory index. */
export interface CatalogueHooks {
  /** Resolves once the writer has applied its journal up to now (SqliteBackend.settle). */
  settle(): Promise<void>;
  /** Hashes per flag from the in-memory index, or from the tables while it loads. */
  countByFlag(): { flag: number; count: number }[];
}

/**
 * The SQLite backend's HashCatalogue: the admin API's queries on the main thread's read connection, plus the two
 * answers that come from elsewhere in the backend (settle from the writer thread, per-flag counts from the index,
 * which keeps them as hashes come and go where SQLite would count a million rows).
 */
export class SqliteCatalogue implements HashCatalogue {
  constructor(
    private readonly queries: SqliteHashQueries,
    private readonly hooks: CatalogueHooks,
  ) {}

  settle(): Promise<void> {
    return this.hooks.settle();
  }

  page(filter: HashFilter): HashRowWithCount[] {
    return this.queries.page(filter);
  }

  rows(filter: HashFilter): HashRow[] {
    return this.queries.rows(filter);
  }

  find(digest: Buffer): HashRowWithCount | null {
    return this.queries.find(digest);
  }

  shingles(id: number): (bigint | null)[] {
    return this.queries.shingles(id);
  }

  countByFlag(): { flag: number; count: number }[] {
    return this.hooks.countByFlag();
  }

  queryPlan(filter: HashFilter, extraPlan?: ExtraFlagPlan): PagePlan[] {
    return this.queries.queryPlan(filter, extraPlan);
  }

  ping(): void {
    this.queries.ping();
  }
}
