import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { FlagInfo } from '../../../shared/api/api-types.js';
import { NotFoundError } from '../common/api-error.js';
import { FlagEntity } from '../database/entities/flag.entity.js';
import { HASH_CATALOGUE, type HashCatalogue } from '../fuzzy/hash-catalogue.js';

/** Flag names (kept in memory: every listed hash shows its flag's name) and per-flag hash counts. */
@Injectable()
export class FlagsService implements OnModuleInit {
  private names = new Map<number, FlagEntity>();

  constructor(
    @InjectRepository(FlagEntity) private readonly repo: Repository<FlagEntity>,
    @Inject(HASH_CATALOGUE) private readonly catalogue: HashCatalogue | null,
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

  /**
   * Hashes per flag as acknowledged, UDP writes included; the store keeps these counts as hashes come and go. Empty
   * when the backend cannot count per flag (no catalogue).
   */
  async countByFlag(): Promise<{ flag: number; count: number }[]> {
    return this.catalogue?.countByFlag() ?? [];
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
