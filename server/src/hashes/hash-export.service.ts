import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import type { HashImportLine } from '../../../shared/api/api-types.js';
import { HASH_CATALOGUE, type HashCatalogue } from '../fuzzy/hash-catalogue.js';
import { afterCursor, type DigestRange, prefixRange } from '../fuzzy/hash-range.js';
import { requireCatalogue } from './require-catalogue.js';

const EXPORT_PAGE = 1000;

/**
 * JSON Lines export in digest order, one keyset page at a time: memory stays flat at any store size, and the stream
 * only reads the next page when the client has taken the previous one. Each line is an import line (plus `time`):
 * the primary `flag`/`value` (what a reader of the older format takes) and every slot in `flags`, primary first;
 * shingles are included when the hash still owns all 32 positions.
 */
@Injectable()
export class HashExportService {
  constructor(@Inject(HASH_CATALOGUE) private readonly catalogue: HashCatalogue | null) {}

  stream(filter: { flag: number | null; prefix: string }): Readable {
    // Fail before the 200 is sent when the backend cannot list.
    const catalogue = requireCatalogue(this.catalogue);
    return Readable.from(this.pages(catalogue, filter.flag, prefixRange(filter.prefix)), { objectMode: false });
  }

  private async *pages(catalogue: HashCatalogue, flag: number | null, start: DigestRange): AsyncGenerator<Buffer> {
    await catalogue.settle();
    let range = start;
    for (;;) {
      const rows = catalogue.rows({ range, flag, limit: EXPORT_PAGE });
      if (rows.length === 0) return;
      let text = '';
      for (const row of rows) {
        const shingles = catalogue.shingles(row.id);
        const value = row.value ?? 0;
        const flags = [{ flag: row.flag, value }, ...row.extraFlags];
        const line: HashImportLine = { digest: row.digest.toString('hex'), flag: row.flag, value, flags, time: row.time ?? 0 };
        if (shingles.every((s) => s !== null)) line.shingles = shingles.map(String);
        text += `${JSON.stringify(line)}\n`;
      }
      yield Buffer.from(text, 'utf8');
      if (rows.length < EXPORT_PAGE) return;
      range = afterCursor(range, rows[rows.length - 1].digest);
    }
  }
}
