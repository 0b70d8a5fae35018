import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { FlagInfo } from '../../../shared/api/api-types.js';
import { NotFoundError } from '../common/api-error.js';
import { FlagEntity } from '../database/entities/flag.entity.js';
import { HashRepository } from '../database/hash.repository.js';

/**
 * Counting every hash per flag walks an index (about 0.1 s at a million hashes, spread over many event-loop turns):
 * dashboard polls within this window share one count. REST writes drop it at once; UDP writes show after it.
 */
const COUNT_CACHE_MS = 5000;

/** Flag names (kept in memory: every listed hash shows its flag's name) and per-flag hash counts. */
@Injectable()
export class FlagsService implements OnModuleInit {
  private names = new Map<number, FlagEntity>();
  private counts: { at: number; rows: Promise<{ flag: number; count: number }[]> } | null = null;

  constructor(
    @InjectRepository(FlagEntity) private readonly repo: Repository<FlagEntity>,
    private readonly hashes: HashRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    const all = await this.repo.find();
    this.names = new Map(all.map((f) => [f.flag, f]));
  }

  nameOf(flag: number): string | null {
    return this.names.get(flag)?.name ?? null;
  }

  /** Flags that have hashes or a name, in flag order. */
  async list(): Promise<FlagInfo[]> {
    const counts = new Map((await this.countByFlag()).map((r) => [r.flag, r.count]));
    const flags = [...new Set([...counts.keys(), ...this.names.keys()])].sort((a, b) => a - b);
    return flags.map((flag) => this.info(flag, counts.get(flag) ?? 0));
  }

  /** Concurrent callers share one count in progress. */
  countByFlag(): Promise<{ flag: number; count: number }[]> {
    const now = Date.now();
    if (!this.counts || now - this.counts.at > COUNT_CACHE_MS) {
      const rows = this.hashes.countByFlag();
      const entry = { at: now, rows };
      this.counts = entry;
      // A failed count is not kept: the next caller tries again.
      rows.catch(() => {
        if (this.counts === entry) this.counts = null;
      });
    }
    return this.counts.rows;
  }

  /** Forgets the cached counts, so an admin sees their own change at once. */
  invalidateCounts(): void {
    this.counts = null;
  }

  async set(flag: number, name: string, description: string | null): Promise<FlagInfo> {
    const entity = this.repo.create({ flag, name, description, updatedAt: Math.floor(Date.now() / 1000) });
    await this.repo.save(entity);
    this.names.set(flag, entity);
    return this.info(flag, await this.countOf(flag));
  }

  async remove(flag: number): Promise<void> {
    if (!this.names.has(flag)) throw new NotFoundError(`flag ${flag} has no name`);
    await this.repo.delete({ flag });
    this.names.delete(flag);
  }

  private async countOf(flag: number): Promise<number> {
    return (await this.countByFlag()).find((r) => r.flag === flag)?.count ?? 0;
  }

  private info(flag: number, count: number): FlagInfo {
    const named = this.names.get(flag);
    return { flag, name: named?.name ?? null, description: named?.description ?? null, count };
  }
}
