import { afterEach } from 'vitest';
import type { ShingleBlock } from '../../shared/protocol/shingle-block.js';
import type { Digest, FlagValue } from '../../shared/protocol/types.js';
import type { FuzzyBackend, UpdateResult } from '../../server/src/fuzzy/fuzzy-backend.js';
import type { WriteRule } from '../../server/src/fuzzy/update-rule.js';

export interface StoreOptions {
  expireSeconds: number;
}

/** How a backend is brought up for the contract suite. */
export interface BackendFactory {
  /**
   * Opens the store called `name`: empty the first time, and holding everything committed to it when opened again
   * after `close` (a file in a temporary directory, a Redis key prefix). Resolves once the store answers as it will
   * in service.
   */
  open(name: string, options: StoreOptions): Promise<FuzzyBackend>;
}

/** The stores a test opened, closed after it; each test gets stores no other test touches. */
export class StoreHarness {
  private readonly open = new Set<FuzzyBackend>();
  private readonly names = new Map<FuzzyBackend, { name: string; options: StoreOptions }>();
  private count = 0;

  constructor(
    private readonly factory: BackendFactory,
    private readonly runId = `${process.pid}-${Date.now().toString(36)}`,
  ) {
    afterEach(async () => {
      for (const store of this.open) await store.close();
      this.open.clear();
    });
  }

  /** A new, empty store. */
  async fresh(options: StoreOptions = { expireSeconds: 86_400 }): Promise<FuzzyBackend> {
    return this.opened(`${this.runId}-${++this.count}`, options);
  }

  /** Closes `store` (committing what it queued) and opens the same store again. */
  async reopen(store: FuzzyBackend): Promise<FuzzyBackend> {
    const { name, options } = this.names.get(store)!;
    this.open.delete(store);
    await store.close();
    return this.opened(name, options);
  }

  private async opened(name: string, options: StoreOptions): Promise<FuzzyBackend> {
    const store = await this.factory.open(name, options);
    this.open.add(store);
    this.names.set(store, { name, options });
    return store;
  }
}

export function write(
  store: FuzzyBackend,
  digest: Digest,
  flag: number,
  value: number,
  { rule = 'single', shingles = null, weak = false }: { rule?: WriteRule; shingles?: ShingleBlock | null; weak?: boolean } = {},
): Promise<UpdateResult> {
  return store.update({ kind: 'write', digest, flag, value, shingles, rule, weak });
}

/** A hash's slots, primary first, as plain data (null when absent), for toEqual. */
export function slotsOf(hash: { flag: number; value: number; extraFlags: readonly FlagValue[] } | null): FlagValue[] | null {
  return hash ? [{ flag: hash.flag, value: hash.value }, ...hash.extraFlags.map((s) => ({ flag: s.flag, value: s.value }))] : null;
}

export async function storedSlots(store: FuzzyBackend, digest: Digest): Promise<FlagValue[] | null> {
  return slotsOf(await store.get(digest));
}

/** [flag, value] pairs, primary first, as FlagValues: expectations stay one line. */
export function slots(...pairs: [flag: number, value: number][]): FlagValue[] {
  return pairs.map(([flag, value]) => ({ flag, value }));
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
