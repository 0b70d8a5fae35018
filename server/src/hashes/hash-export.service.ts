import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { HashImportLine } from '../../../shared/api/api-types.js';
import type { DigestRange } from '../database/hash-range.js';
import { afterCursor, prefixRange } from '../database/hash-range.js';
import { HashRepository } from '../database/hash.repository.js';

const EXPORT_PAGE = 1000;

/**
 * JSON Lines export in digest order, one keyset page at a time: memory stays flat at any store size, and the stream
 * only reads the next page when the client has taken the previous one. Each line is an import line (plus `time`):
 * the primary `flag`/`value` (what a reader of the older format takes) and every slot in `flags`, primary first;
 * shingles are included when the hash still owns all 32 positions.
 */
@Injectable()
export class HashExportService {
  constructor(private readonly repo: HashRepository) {}

  stream(filter: { flag: number | null; prefix: string }): Readable {
    // Fail before the 200 is sent when the backend cannot list.
    this.repo.rows({ range: prefixRange(filter.prefix), flag: filter.flag, limit: 0 });
    return Readable.from(this.pages(filter.flag, prefixRange(filter.prefix)), { objectMode: false });
  }

  private async *pages(flag: number | null, start: DigestRange): AsyncGenerator<Buffer> {
    await this.repo.settle();
    let range = start;
    for (;;) {
      const rows = this.repo.rows({ range, flag, limit: EXPORT_PAGE });
      if (rows.length === 0) return;
      let text = '';
      for (const row of rows) {
        const shingles = this.repo.shingles(row.id);
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
