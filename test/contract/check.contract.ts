import { describe, expect, it } from 'vitest';
import { nearDuplicate, randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { nowSeconds, slots, slotsOf, type StoreHarness, write } from './contract-harness.js';

/** CHECK: the direct match, then the shingle vote (spec/fuzzy-protocol.md §5.3, fuzzy-notes.md §6). */
export function checkContract(stores: StoreHarness): void {
  describe('check', () => {
    it('misses an unknown digest: all zero, the request digest, no extra flags', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      const miss = await store.check(digest, randomShingles());
      expect(miss).toMatchObject({ prob: 0, value: 0, flag: 0, ts: 0, extraFlags: [] });
      expect(miss.digest.equals(digest)).toBe(true);
    });

    it('hits a write as soon as its update resolves: prob 1, flag, value, the write time', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      const before = nowSeconds();
      await write(store, digest, 7, 10);
      const hit = await store.check(digest, null);
      expect(hit).toMatchObject({ prob: 1, flag: 7, value: 10, extraFlags: [] });
      expect(hit.digest.equals(digest)).toBe(true);
      expect(hit.ts).toBeGreaterThanOrEqual(before);
      expect(hit.ts).toBeLessThanOrEqual(nowSeconds());
    });

    it('a direct match wins over a shingle vote for another hash', async () => {
      const store = await stores.fresh();
      const [direct, other] = [randomDigest(), randomDigest()];
      const otherShingles = randomShingles();
      await write(store, direct, 1, 1);
      await write(store, other, 2, 2, { shingles: otherShingles });
      const hit = await store.check(direct, otherShingles);
      expect(hit).toMatchObject({ prob: 1, flag: 1 });
      expect(hit.digest.equals(direct)).toBe(true);
    });

    it('shingles: 17 of 32 positions hit with prob 17/32 and the stored hash; 16 miss with the request digest', async () => {
      const store = await stores.fresh();
      const stored = randomDigest();
      const shingles = randomShingles();
      await write(store, stored, 3, 4, { shingles });
      for (const [changed, owned] of [[0, 32], [3, 29], [15, 17]]) {
        const hit = await store.check(randomDigest(), nearDuplicate(shingles, changed));
        expect(hit, `${owned} positions`).toMatchObject({ prob: owned / 32, flag: 3, value: 4 });
        expect(hit.digest.equals(stored)).toBe(true);
        expect(hit.ts).toBeGreaterThan(0);
      }
      const request = randomDigest();
      const miss = await store.check(request, nearDuplicate(shingles, 16));
      expect(miss).toMatchObject({ prob: 0, value: 0, flag: 0 });
      expect(miss.digest.equals(request)).toBe(true);
    });

    it('a shingle hit carries the stored hash\'s extra flags', async () => {
      const store = await stores.fresh();
      const stored = randomDigest();
      const shingles = randomShingles();
      await write(store, stored, 50, 3, { rule: 'multi', shingles });
      await write(store, stored, 51, 8, { rule: 'multi' });
      expect(slotsOf(await store.check(randomDigest(), nearDuplicate(shingles, 2)))).toEqual(slots([51, 8], [50, 3]));
    });

    it('a write to a stored digest keeps the shingles it was added with', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      const [first, later] = [randomShingles(), randomShingles()];
      await write(store, digest, 1, 1, { shingles: first });
      await write(store, digest, 1, 1, { shingles: later });
      expect((await store.check(randomDigest(), later)).prob).toBe(0);
      expect((await store.check(randomDigest(), first)).digest.equals(digest)).toBe(true);
      const bare = randomDigest();
      await write(store, bare, 1, 1);
      await write(store, bare, 1, 1, { shingles: later });
      expect((await store.check(randomDigest(), later)).prob).toBe(0);
    });
  });

  describe('the shingle vote', () => {
    it('the newest writer owns a shared position, and the hash owning the most positions wins', async () => {
      const store = await stores.fresh();
      const [older, newer] = [randomDigest(), randomDigest()];
      const shingles = randomShingles();
      await write(store, older, 1, 1, { shingles });
      // `newer` shares positions 17..31 with `older` and, written later, owns them: `older` keeps 0..16.
      await write(store, newer, 2, 2, { shingles: nearDuplicate(shingles, 17) });
      const older17 = await store.check(randomDigest(), shingles);
      expect(older17).toMatchObject({ prob: 17 / 32, flag: 1 });
      expect(older17.digest.equals(older)).toBe(true);
      // A third hash takes 0..19: now it owns 20 positions, `newer` 12, `older` none.
      const third = randomDigest();
      const thirdShingles = randomShingles();
      shingles.bytes.copy(thirdShingles.bytes, 0, 0, 20 * 8);
      await write(store, third, 3, 3, { shingles: thirdShingles });
      const third20 = await store.check(randomDigest(), shingles);
      expect(third20).toMatchObject({ prob: 20 / 32, flag: 3 });
      expect(third20.digest.equals(third)).toBe(true);
    });

    it('deleting the newest owner leaves its positions to nobody; deleting an older one leaves the newer owner\'s', async () => {
      const store = await stores.fresh();
      const [first, second] = [randomDigest(), randomDigest()];
      const shingles = randomShingles();
      await write(store, first, 1, 1, { shingles });
      await write(store, second, 1, 1, { shingles });
      expect((await store.check(randomDigest(), shingles)).digest.equals(second)).toBe(true);
      await store.update({ kind: 'del', digest: second });
      expect((await store.check(randomDigest(), shingles)).prob).toBe(0);
      expect((await store.check(first, null)).prob).toBe(1);

      const [old, young] = [randomDigest(), randomDigest()];
      const base = randomShingles();
      await write(store, old, 1, 1, { shingles: base });
      await write(store, young, 4, 4, { shingles: nearDuplicate(base, 10) });
      await store.update({ kind: 'del', digest: old });
      const hit = await store.check(randomDigest(), base);
      expect(hit).toMatchObject({ prob: 22 / 32, flag: 4 });
      expect(hit.digest.equals(young)).toBe(true);
    });
  });
}
