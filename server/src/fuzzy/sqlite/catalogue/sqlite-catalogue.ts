import type { ExtraFlagPlan, HashCatalogue, HashFilter, HashRow, HashRowWithCount, PagePlan, ShingleOwner } from '../../hash-catalogue.js';
import type { SqliteHashQueries } from './sqlite-hash-queries.js';
import type { ShingleOwners } from './shingle-owners.js';

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
    private readonly owners: ShingleOwners,
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

  shingleOwners(id: number): ShingleOwner[] {
    return this.owners.of(id);
  }

  rowsByIds(ids: readonly number[]): HashRowWithCount[] {
    return this.queries.rowsByIds(ids);
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
