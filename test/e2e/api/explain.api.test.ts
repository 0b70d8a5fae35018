import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { HashExplain } from '../../../shared/api/api-types.js';
import { mixedSignShingles, nearDuplicate, randomDigest } from '../../helpers/fuzzy-data.js';
import { apiWithUdpClient } from './api-harness.js';

const harness = apiWithUdpClient({ FUZZYD_UDP_THREADS: '2' });

async function explain(digest: Buffer): Promise<HashExplain> {
  const r = await harness.api.request('GET', `/api/v1/hashes/${digest.toString('hex')}/explain`);
  expect(r.statusCode, r.body).toBe(200);
  return JSON.parse(r.body) as HashExplain;
}

const counts = (e: HashExplain): [string, number, boolean][] => e.owners.map((o) => [o.hash.digest, o.positions, o.self]);

describe('explain: the near-duplicate cluster of a stored hash', () => {
  it('counts the positions later near-duplicates took over, while their rows are queued and once moved into rspamd\'s table', async () => {
    const base = mixedSignShingles();
    const first = randomDigest();
    const second = randomDigest();
    const third = randomDigest();
    // Real UDP WRITEs through the threads: each later text shares the tail of the first one's shingles.
    await harness.udp.write(first, 1, 10, base.toBigInts());
    await harness.udp.write(second, 1, 5, nearDuplicate(base, 12).toBigInts()); // shares positions 12..31
    await harness.udp.write(third, 2, 3, nearDuplicate(base, 24).toBigInts()); // shares positions 24..31, newest there
    const expected: [string, number, boolean][] = [
      [first.toString('hex'), 12, true], // a tie: the hash itself first
      [second.toString('hex'), 12, false],
      [third.toString('hex'), 8, false],
    ];
    const early = await explain(first);
    expect(counts(early)).toEqual(expected);
    // The writer moves queued shingle rows into rspamd's table when writes pause; the answer does not change.
    await sleep(500);
    const late = await explain(first);
    expect(counts(late)).toEqual(expected);
    expect(late.positions).toHaveLength(32);
    expect(late.positions[0]).toMatchObject({ position: 0, owner: first.toString('hex'), value: base.at(0).toString() });
    expect(late.positions[20].owner).toBe(second.toString('hex'));
    expect(late.positions[31].owner).toBe(third.toString('hex'));
    expect(late).toMatchObject({ unknown: 0, unowned: 0 });
    expect(late.owners.find((o) => o.hash.digest === third.toString('hex'))?.hash).toMatchObject({ flag: 2, value: 3 });
    // The newest one owns all its positions.
    expect(counts(await explain(third))).toEqual([[third.toString('hex'), 32, true]]);
  });

  it('shows a position whose owner was deleted as unowned, and a hash without shingles as having none', async () => {
    const base = mixedSignShingles();
    const first = randomDigest();
    const second = randomDigest();
    await harness.udp.write(first, 1, 1, base.toBigInts());
    await harness.udp.write(second, 1, 1, nearDuplicate(base, 30).toBigInts());
    // Once the rows are in rspamd's table (the writer moves them when writes pause), the second owns positions 30, 31.
    await sleep(500);
    await harness.udp.del(second);
    const e = await explain(first);
    expect(counts(e)).toEqual([[first.toString('hex'), 30, true]]);
    expect(e.unowned).toBe(2);
    const plain = randomDigest();
    await harness.udp.write(plain, 1, 1);
    expect(await explain(plain)).toMatchObject({ positions: [], owners: [], unknown: 0, unowned: 0 });
  });

  it('answers 404 for a digest not stored and 400 for a malformed one', async () => {
    expect((await harness.api.request('GET', `/api/v1/hashes/${randomDigest().toString('hex')}/explain`)).statusCode).toBe(404);
    const bad = await harness.api.request('GET', '/api/v1/hashes/xyz/explain');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('digest');
  });
});
