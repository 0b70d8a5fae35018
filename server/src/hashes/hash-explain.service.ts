import { Inject, Injectable } from '@nestjs/common';
import type { HashExplain, ShingleOwnerCount } from '../../../shared/api/api-types.js';
import { NotFoundError } from '../common/api-error.js';
import { parseDigestHex } from '../common/validation.js';
import { FlagsService } from '../flags/flags.service.js';
import { HASH_CATALOGUE, type HashCatalogue } from '../fuzzy/hash-catalogue.js';
import { toHashItem } from './hash-input.js';
import { requireCatalogue } from './require-catalogue.js';

/** A stored hash's near-duplicate cluster: who owns each of its shingle positions (shingle-owners.ts). */
@Injectable()
export class HashExplainService {
  constructor(
    @Inject(HASH_CATALOGUE) private readonly catalogue: HashCatalogue | null,
    private readonly flags: FlagsService,
  ) {}

  async explain(digestHex: string): Promise<HashExplain> {
    const digest = parseDigestHex(digestHex);
    const catalogue = requireCatalogue(this.catalogue);
    await catalogue.settle();
    const row = catalogue.find(digest);
    if (!row) throw new NotFoundError(`no hash ${digestHex.toLowerCase()}`);
    const owners = catalogue.shingleOwners(row.id);
    const counts = new Map<number, number>();
    for (const o of owners) if (o.ownerId !== null) counts.set(o.ownerId, (counts.get(o.ownerId) ?? 0) + 1);
    const rows = new Map(catalogue.rowsByIds([...counts.keys()]).map((r) => [r.id, r]));
    const nameOf = (flag: number): string | null => this.flags.nameOf(flag);
    const owning: ShingleOwnerCount[] = [...counts]
      .filter(([id]) => rows.has(id))
      .map(([id, positions]) => ({ hash: toHashItem(rows.get(id)!, nameOf), positions, self: id === row.id }))
      .sort((a, b) => b.positions - a.positions || Number(b.self) - Number(a.self));
    const hasShingles = owners.some((o) => o.value !== null);
    return {
      digest: row.digest.toString('hex'),
      positions: hasShingles
        ? owners.map((o) => ({
            position: o.position,
            value: o.value === null ? null : o.value.toString(),
            owner: o.ownerId !== null && rows.has(o.ownerId) ? rows.get(o.ownerId)!.digest.toString('hex') : null,
          }))
        : [],
      owners: owning,
      unknown: hasShingles ? owners.filter((o) => o.value === null).length : 0,
      unowned: owners.filter((o) => o.value !== null && (o.ownerId === null || !rows.has(o.ownerId))).length,
    };
  }
}
