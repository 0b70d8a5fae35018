import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../../server/src/audit/audit-log.js';
import { packAuditContexts } from '../../../server/src/audit/audit-batch.js';
import type { AuditRow } from '../../../server/src/audit/audit-row.js';
import { openFuzzyDatabase } from '../../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { SqliteWriter } from '../../../server/src/fuzzy/sqlite/writer/sqlite-writer.js';
import { packOps } from '../../../server/src/fuzzy/sqlite/writer/write-op-codec.js';
import { randomDigest, randomShingles } from '../../helpers/fuzzy-data.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dirs: ReturnType<typeof tempDir>[] = [];
const logs: AuditLog[] = [];
afterEach(() => {
  for (const log of logs.splice(0)) log.close();
  for (const dir of dirs.splice(0)) dir.remove();
});

function openLog(options: { retentionSeconds?: number; maxRows?: number } = {}): { log: AuditLog; dbPath: string } {
  const dir = tempDir('fuzzyd-audit-');
  dirs.push(dir);
  const dbPath = dir.file('fuzzy.db');
  const log = new AuditLog(dbPath, { retentionSeconds: options.retentionSeconds ?? 3600, maxRows: options.maxRows ?? 1_000_000, purgeIntervalMs: 3_600_000 });
  logs.push(log);
  return { log, dbPath };
}

function row(timeMs: number, actor = 'token:t', digest: Buffer | null = null): AuditRow {
  return { timeMs, via: 'api', actor, source: '127.0.0.1', action: 'write', outcome: 'added', digest, flag: 1, value: 1, detail: null };
}

describe('AuditLog', () => {
  it('purges rows older than the retention and keeps the newer ones', () => {
    const { log } = openLog({ retentionSeconds: 3600 });
    const now = Date.parse('2026-12-01T12:00:00Z');
    for (let i = 0; i < 10; i++) log.append(row(now - 7200_000 + i));
    for (let i = 0; i < 5; i++) log.append(row(now - 60_000 + i));
    expect(log.purge(now)).toBe(10);
    const left = log.search({ limit: 100 });
    expect(left).toHaveLength(5);
    expect(left.every((r) => r.timeMs >= now - 3600_000)).toBe(true);
  });

  it('keeps at most maxRows, dropping the oldest', () => {
    const { log } = openLog({ maxRows: 1000 });
    const now = Date.now();
    for (let i = 0; i < 1500; i++) log.append(row(now - 1500 + i, `token:${i}`));
    log.purge(now);
    const left = log.search({ limit: 1000 });
    expect(left).toHaveLength(1000);
    expect(left.at(-1)!.actor).toBe('token:500');
    expect(left[0].actor).toBe('token:1499');
  });

  it('finds the rows the writer thread staged in a commit, before and after it moved them, once', () => {
    const { log, dbPath } = openLog();
    const db = openFuzzyDatabase(dbPath, { durability: 'normal' });
    try {
      const writer = new SqliteWriter(db, 'normal');
      const digest = randomDigest();
      const other = randomDigest();
      const ops = [
        { kind: 'write' as const, digest, flag: 4, value: 9, shingles: randomShingles(), rule: 'multi' as const },
        { kind: 'write' as const, digest: other, flag: 1, value: 1, shingles: null, rule: 'multi' as const },
        { kind: 'del' as const, digest: randomDigest() },
      ];
      const audit = packAuditContexts([
        { via: 'udp', actor: '10.0.0.1', source: '10.0.0.1' },
        undefined,
        { via: 'udp', actor: '10.0.0.1', source: '10.0.0.1' },
      ]);
      writer.commit(packOps(ops), undefined, audit);
      // The second op had no context, the third deleted nothing: one row.
      expect(writer.stagedAuditRows).toBe(1);
      const staged = log.search({ digest, limit: 10 });
      expect(staged).toMatchObject([{ via: 'udp', actor: '10.0.0.1', action: 'write', outcome: 'added', flag: 4, value: 9 }]);
      expect(log.search({ digest: other, limit: 10 })).toEqual([]);
      expect(writer.moveStagedAudit(1000)).toBe(1);
      expect(writer.stagedAuditRows).toBe(0);
      expect(log.search({ digest, limit: 10 })).toEqual(staged);
      expect(log.search({ actor: '10.0.0.1', limit: 10 })).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('bounds what waits for a flush: past it rows are counted as dropped, not queued', () => {
    const { log } = openLog();
    for (let i = 0; i < 10_005; i++) log.append(row(Date.now()));
    expect(log.dropped).toBe(5);
    expect(log.search({ limit: 1 })).toHaveLength(1);
  });
});
