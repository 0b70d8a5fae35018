import { describe, expect, it } from 'vitest';
import type { FuzzyBackend } from '../../server/src/fuzzy/fuzzy-backend.js';
import type { Digest } from '../../shared/protocol/types.js';
import { randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { slots, slotsOf, type StoreHarness, storedSlots, write } from './contract-harness.js';

const I32_MAX = 2 ** 31 - 1;
const I32_MIN = -(2 ** 31);

/** Writes flags 1..n with the given values under the multi rule, in that order. */
async function fillSlots(store: FuzzyBackend, digest: Digest, values: number[]): Promise<void> {
  for (const [i, value] of values.entries()) await write(store, digest, i + 1, value, { rule: 'multi' });
}

/** WRITE under both rules, DEL and the admin's absolute edit (update-rule.ts, spec/fuzzy-storage.md §2.4, §3.4). */
export function updateContract(stores: StoreHarness): void {
  describe('write, rule single (clients reading one flag)', () => {
    it('adds a new digest, adds the value for the same flag, re-flags with the new value for another', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      const added = await write(store, digest, 7, 10);
      expect(added.status).toBe('added');
      expect(slotsOf(added.hash)).toEqual(slots([7, 10]));
      expect(added.hash?.digest.equals(digest)).toBe(true);
      const updated = await write(store, digest, 7, 5);
      expect(updated.status).toBe('updated');
      expect(slotsOf(updated.hash)).toEqual(slots([7, 15]));
      const reflagged = await write(store, digest, 9, 3);
      expect(reflagged.status).toBe('reflagged');
      expect(slotsOf(reflagged.hash)).toEqual(slots([9, 3]));
      expect(slotsOf(await store.check(digest, null))).toEqual(slots([9, 3]));
      expect(await store.count()).toBe(1);
    });

    it('a re-flag keeps the extra slots of multi-flag writers, except one holding the new flag', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      await fillSlots(store, digest, [5, 3, 7]);
      expect(await storedSlots(store, digest)).toEqual(slots([3, 7], [2, 3], [1, 5]));
      expect((await write(store, digest, 2, 1)).status).toBe('reflagged');
      expect(await storedSlots(store, digest)).toEqual(slots([2, 1], [1, 5]));
      expect((await write(store, digest, 2, 2)).status).toBe('updated');
      expect(await storedSlots(store, digest)).toEqual(slots([2, 3], [1, 5]));
    });
  });

  describe('weak writes (weak_ids, access-controls.md §6.3)', () => {
    it('rule single: a weak flag adds to the primary slot and never re-flags; on a new digest it is stored as any', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      expect((await write(store, digest, 4, 2, { weak: true })).status).toBe('added');
      expect((await write(store, digest, 7, 10)).status).toBe('reflagged');
      const weak = await write(store, digest, 4, 3, { weak: true });
      expect(weak.status).toBe('updated');
      expect(slotsOf(weak.hash)).toEqual(slots([7, 13]));
      expect(slotsOf(await store.check(digest, null))).toEqual(slots([7, 13]));
    });

    it('rule multi: a weak flag takes a free slot but never evicts one of 8', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      await fillSlots(store, digest, [5, 3]);
      expect((await write(store, digest, 20, 1, { rule: 'multi', weak: true })).status).toBe('reflagged');
      expect(await storedSlots(store, digest)).toEqual(slots([1, 5], [2, 3], [20, 1]));
      const full = randomDigest();
      await fillSlots(store, full, [8, 7, 6, 5, 4, 3, 2, 1]);
      const refused = await write(store, full, 30, 100, { rule: 'multi', weak: true });
      expect(refused.status).toBe('updated');
      expect((await storedSlots(store, full))?.map((s) => s.flag)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect((await write(store, full, 30, 100, { rule: 'multi' })).status).toBe('reflagged');
    });
  });

  describe('write, rule multi (clients reading multi-flag replies)', () => {
    it('a new flag takes a free slot, the same flag adds in its slot, and the highest value is the primary', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      expect((await write(store, digest, 10, 5, { rule: 'multi' })).status).toBe('added');
      expect((await write(store, digest, 11, 3, { rule: 'multi' })).status).toBe('reflagged');
      expect(await storedSlots(store, digest)).toEqual(slots([10, 5], [11, 3]));
      const third = await write(store, digest, 12, 7, { rule: 'multi' });
      expect(third.status).toBe('reflagged');
      expect(slotsOf(third.hash)).toEqual(slots([12, 7], [11, 3], [10, 5]));
      expect(slotsOf(await store.check(digest, null))).toEqual(slots([12, 7], [11, 3], [10, 5]));
      const same = await write(store, digest, 10, 5, { rule: 'multi' });
      expect(same.status).toBe('updated');
      expect(slotsOf(same.hash)).toEqual(slots([10, 10], [11, 3], [12, 7]));
      expect(await store.count()).toBe(1);
    });

    it('holds 8 slots; a 9th flag replaces the lowest only with a strictly higher value', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      await fillSlots(store, digest, [10, 20, 30, 40, 50, 60, 70, 80]);
      const full = slots([8, 80], [1, 10], [2, 20], [3, 30], [4, 40], [5, 50], [6, 60], [7, 70]);
      expect(await storedSlots(store, digest)).toEqual(full);
      for (const value of [5, 10]) {
        const kept = await write(store, digest, 9, value, { rule: 'multi' });
        expect(kept.status, `value ${value}`).toBe('updated');
        expect(slotsOf(kept.hash)).toEqual(full);
      }
      const replaced = await write(store, digest, 9, 11, { rule: 'multi' });
      expect(replaced.status).toBe('reflagged');
      expect(slotsOf(replaced.hash)).toEqual(slots([8, 80], [9, 11], [2, 20], [3, 30], [4, 40], [5, 50], [6, 60], [7, 70]));
      expect(await storedSlots(store, digest)).toEqual(slotsOf(replaced.hash));
    });

    it('among equal lowest values the earliest slot is replaced', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      await fillSlots(store, digest, Array(8).fill(10));
      await write(store, digest, 9, 11, { rule: 'multi' });
      expect(await storedSlots(store, digest)).toEqual(slots([9, 11], [2, 10], [3, 10], [4, 10], [5, 10], [6, 10], [7, 10], [8, 10]));
    });
  });

  describe('values saturate at the signed 32-bit range', () => {
    it('adding past either end stays at the end instead of wrapping', async () => {
      const store = await stores.fresh();
      const [high, low, multi] = [randomDigest(), randomDigest(), randomDigest()];
      await write(store, high, 1, I32_MAX);
      expect(slotsOf((await write(store, high, 1, 10)).hash)).toEqual(slots([1, I32_MAX]));
      expect((await store.check(high, null)).value).toBe(I32_MAX);
      await write(store, low, 1, I32_MIN);
      expect(slotsOf((await write(store, low, 1, -1)).hash)).toEqual(slots([1, I32_MIN]));
      expect((await store.get(low))?.value).toBe(I32_MIN);
      await write(store, multi, 1, I32_MAX - 1, { rule: 'multi' });
      await write(store, multi, 2, 1, { rule: 'multi' });
      await write(store, multi, 1, 2, { rule: 'multi' });
      expect(await storedSlots(store, multi)).toEqual(slots([1, I32_MAX], [2, 1]));
    });

    it('an admin edit beyond the range is stored at its end', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      await write(store, digest, 1, 1);
      expect(slotsOf((await store.update({ kind: 'set', digest, value: 2 ** 40 })).hash)).toEqual(slots([1, I32_MAX]));
      expect(await storedSlots(store, digest)).toEqual(slots([1, I32_MAX]));
    });
  });

  describe('del', () => {
    it('removes the digest with every flag whatever the flag, then reports not-found', async () => {
      const store = await stores.fresh();
      const [digest, kept] = [randomDigest(), randomDigest()];
      const shingles = randomShingles();
      await write(store, digest, 5, 1, { rule: 'multi', shingles });
      await write(store, digest, 6, 2, { rule: 'multi' });
      await write(store, kept, 1, 1);
      expect(await store.count()).toBe(2);
      const deleted = await store.update({ kind: 'del', digest });
      expect(deleted).toMatchObject({ status: 'deleted', hash: null });
      expect((await store.check(digest, null)).prob).toBe(0);
      expect((await store.check(randomDigest(), shingles)).prob).toBe(0);
      expect(await store.get(digest)).toBeNull();
      expect(await store.count()).toBe(1);
      expect((await store.update({ kind: 'del', digest })).status).toBe('not-found');
      expect((await store.update({ kind: 'del', digest: randomDigest() })).status).toBe('not-found');
      expect(await store.count()).toBe(1);
      // Deleted, then written again: a new hash, nothing left of the old one.
      expect(slotsOf((await write(store, digest, 6, 1)).hash)).toEqual(slots([6, 1]));
      expect(await store.count()).toBe(2);
    });
  });

  describe('set (the admin API\'s absolute edit)', () => {
    it('replaces the value or the primary flag, keeping the extra slots and the shingles', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      const shingles = randomShingles();
      await write(store, digest, 1, 10, { rule: 'multi', shingles });
      await write(store, digest, 2, 4, { rule: 'multi' });
      const value = await store.update({ kind: 'set', digest, value: 3 });
      expect(value.status).toBe('updated');
      expect(slotsOf(value.hash)).toEqual(slots([1, 3], [2, 4]));
      const flag = await store.update({ kind: 'set', digest, flag: 9 });
      expect(flag.status).toBe('reflagged');
      expect(slotsOf(flag.hash)).toEqual(slots([9, 3], [2, 4]));
      // The primary taking an extra slot's flag takes its place: a flag is never listed twice.
      expect(slotsOf((await store.update({ kind: 'set', digest, flag: 2, value: 6 })).hash)).toEqual(slots([2, 6]));
      expect(slotsOf(await store.check(randomDigest(), shingles))).toEqual(slots([2, 6]));
    });

    it('replaces the whole flag list, first entry primary', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      await write(store, digest, 1, 10);
      const edited = await store.update({ kind: 'set', digest, flags: slots([9, 4], [1, 2], [3, 8]) });
      expect(edited.status).toBe('reflagged');
      expect(await storedSlots(store, digest)).toEqual(slots([9, 4], [1, 2], [3, 8]));
      expect((await store.update({ kind: 'set', digest, flags: slots([9, 1], [1, 1], [3, 1]) })).status).toBe('updated');
      expect(await storedSlots(store, digest)).toEqual(slots([9, 1], [1, 1], [3, 1]));
      expect(await store.count()).toBe(1);
    });

    it('reports not-found for a digest not stored, and stores nothing', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      expect(await store.update({ kind: 'set', digest, value: 1 })).toMatchObject({ status: 'not-found', hash: null });
      expect(await store.get(digest)).toBeNull();
      expect(await store.count()).toBe(0);
    });
  });
}
