import { describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { startFuzzyd } from '../../helpers/fuzzyd-process.js';
import { randomDigest, randomShingles } from '../../helpers/fuzzy-data.js';
import { tempDir } from '../../helpers/temp-dir.js';

/**
 * "Never lose an acknowledged write": a stream of WRITEs with many in flight, `kill -9` in the middle of it, a
 * restart on the same file, three times over, and every WRITE that got its acknowledgement must be there (spec/fuzzy-storage.md §7).
 */
describe('durability under kill -9', () => {
  it('every acknowledged write survives three kills mid-stream and is served after restart', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const dbPath = dir.file('fuzzy.db');
    const acked: Buffer[] = [];
    const ackedShingles: { digest: Buffer; shingles: bigint[] }[] = [];
    const KILLS = 3;
    const KILL_AFTER = 1500;
    for (let round = 0; round < KILLS; round++) {
      const running = await startFuzzyd({ FUZZYD_DB: dbPath });
      // No retransmits: a write counts as acknowledged only by the reply to its one datagram.
      const client = new FuzzyClient({ host: '127.0.0.1', port: running.udpPort, timeoutMs: 2000, retries: 0 });
      const target = acked.length + KILL_AFTER;
      let killed = false;
      const inFlight = new Set<Promise<void>>();
      try {
        for (let i = 0; !killed && i < 20_000; i++) {
          const digest = randomDigest();
          const shingles = i % 2 ? randomShingles().toBigInts() : null;
          const p: Promise<void> = client
            .write(digest, 1 + (i % 3), 1, shingles)
            .then((r) => {
              if (r.prob !== 1 || r.value !== 0) return;
              acked.push(digest);
              if (shingles) ackedShingles.push({ digest, shingles });
            })
            .catch(() => undefined)
            .finally(() => inFlight.delete(p));
          inFlight.add(p);
          if (inFlight.size >= 64) await Promise.race(inFlight);
          if (!killed && acked.length >= target) {
            killed = true;
            await running.kill9();
          }
        }
        await Promise.all(inFlight);
      } finally {
        await client.close();
        await running.kill9();
      }
      expect(acked.length).toBeGreaterThanOrEqual(target);
    }

    const last = await startFuzzyd({ FUZZYD_DB: dbPath });
    const checker = new FuzzyClient({ host: '127.0.0.1', port: last.udpPort, timeoutMs: 2000, retries: 5 });
    try {
      const missing: string[] = [];
      for (let i = 0; i < acked.length; i += 64) {
        const replies = await Promise.all(acked.slice(i, i + 64).map((d) => checker.check(d)));
        replies.forEach((r, k) => {
          if (r.prob !== 1) missing.push(acked[i + k].toString('hex'));
        });
      }
      expect(missing).toEqual([]);
      // Shingle rows may still have been queued for rspamd's table at a kill; they must match all the same.
      for (const { digest, shingles } of ackedShingles.filter((_, i) => i % 10 === 0)) {
        const fuzzy = await checker.check(randomDigest(), shingles);
        expect(fuzzy.digest.equals(digest)).toBe(true);
      }
    } finally {
      await checker.close();
      await last.stop();
      dir.remove();
    }
  });
});
