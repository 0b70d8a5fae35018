import { describe, expect, it } from 'vitest';
import { nearDuplicate, randomDigest, randomShingles } from '../helpers/fuzzy-data.js';
import { checkContract } from './check.contract.js';
import { type BackendFactory, nowSeconds, sleep, slots, slotsOf, StoreHarness, storedSlots, write } from './contract-harness.js';
import { updateContract } from './update.contract.js';

export type { BackendFactory } from './contract-harness.js';

/**
 * The FuzzyBackend contract (server/src/fuzzy/fuzzy-backend.ts), the same tests for every backend: what a client or
 * the admin API can observe through check/update/get/count/health/close/acceptsUpdates. Backend-specific behaviour
 * (rspamd's layouts, the journal, the snapshot, Lua atomicity) is tested beside each backend.
 */
export function describeFuzzyBackendContract(name: string, factory: BackendFactory): void {
  describe(`FuzzyBackend contract: ${name}`, () => {
    const stores = new StoreHarness(factory);
    checkContract(stores);
    updateContract(stores);
    readContract(stores);
    lifecycleContract(stores);
  });
}

function readContract(stores: StoreHarness): void {
  describe('get and count', () => {
    it('get: null for an unknown digest; the stored hash, with its write time, for a known one', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      expect(await store.get(digest)).toBeNull();
      const before = nowSeconds();
      const { hash } = await write(store, digest, 4, 8, { shingles: randomShingles() });
      const stored = await store.get(digest);
      expect(stored?.digest.equals(digest)).toBe(true);
      expect(slotsOf(stored)).toEqual(slots([4, 8]));
      expect(stored?.time).toBeGreaterThanOrEqual(before);
      expect(stored?.time).toBeLessThanOrEqual(nowSeconds());
      // The update's result is the hash as stored.
      expect(slotsOf(hash)).toEqual(slotsOf(stored));
      expect(hash?.time).toBe(stored?.time);
    });

    it('count: hashes, not writes; down on a delete, unchanged by a DEL of nothing', async () => {
      const store = await stores.fresh();
      expect(await store.count()).toBe(0);
      const [a, b] = [randomDigest(), randomDigest()];
      await write(store, a, 1, 1);
      await write(store, a, 1, 1);
      await write(store, a, 2, 1, { rule: 'multi' });
      await write(store, b, 1, 1);
      expect(await store.count()).toBe(2);
      await store.update({ kind: 'del', digest: a });
      await store.update({ kind: 'del', digest: randomDigest() });
      expect(await store.count()).toBe(1);
    });
  });
}

function lifecycleContract(stores: StoreHarness): void {
  describe('health, load and lifetime', () => {
    it('an idle store is writable and takes updates', async () => {
      const store = await stores.fresh();
      const health = await store.health();
      expect(health.writable).toBe(true);
      expect(health.detail).not.toBe('');
      expect(store.acceptsUpdates()).toBe(true);
    });

    it('concurrent updates of one digest are all applied, each on the result of the one before', async () => {
      const store = await stores.fresh();
      const digest = randomDigest();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => write(store, digest, 1 + (i % 4), 1, { rule: 'multi' })),
      );
      expect(results.filter((r) => r.status === 'added')).toHaveLength(1);
      const stored = slotsOf(await store.get(digest))!;
      expect(stored.map((s) => s.value)).toEqual([5, 5, 5, 5]);
      expect(stored.map((s) => s.flag).sort()).toEqual([1, 2, 3, 4]);
    });

    it('concurrent writes of many digests are all visible once they resolve', async () => {
      const store = await stores.fresh();
      const digests = Array.from({ length: 200 }, randomDigest);
      const results = await Promise.all(digests.map((digest, i) => write(store, digest, 1 + (i % 3), i)));
      expect(results.every((r) => r.status === 'added')).toBe(true);
      const hits = await Promise.all(digests.map((digest) => store.check(digest, null)));
      expect(hits.map((h) => [h.prob, h.value])).toEqual(digests.map((_, i) => [1, i]));
      expect(await store.count()).toBe(200);
    });

    it('a hash expires `expireSeconds` after its last write: check misses, directly and by shingles, and get is null', async () => {
      const store = await stores.fresh({ expireSeconds: 1 });
      const digest = randomDigest();
      const shingles = randomShingles();
      await write(store, digest, 1, 1, { shingles });
      expect((await store.check(digest, null)).prob).toBe(1);
      // Time is kept in whole seconds: past 2 s, the write is more than a second old whenever it was made.
      await sleep(2_200);
      expect((await store.check(digest, null)).prob).toBe(0);
      expect((await store.check(randomDigest(), shingles)).prob).toBe(0);
      expect(await store.get(digest)).toBeNull();
    });

    it('closing commits everything acknowledged, and the store opened again holds it', async () => {
      const store = await stores.fresh();
      const [multi, single, deleted] = [randomDigest(), randomDigest(), randomDigest()];
      const shingles = randomShingles();
      await write(store, multi, 50, 3, { rule: 'multi', shingles });
      await write(store, multi, 51, 8, { rule: 'multi' });
      await write(store, single, 4, 8);
      await write(store, deleted, 1, 1, { shingles: randomShingles() });
      await store.update({ kind: 'del', digest: deleted });
      // Not awaited before close: close itself must commit what is queued.
      const last = write(store, single, 4, 1);
      last.catch(() => {}); // awaited below; a rejection must fail this test, not the run
      const reopened = await stores.reopen(store);
      expect((await last).status).toBe('updated');
      expect(await reopened.count()).toBe(2);
      expect(await storedSlots(reopened, multi)).toEqual(slots([51, 8], [50, 3]));
      expect(slotsOf(await reopened.check(single, null))).toEqual(slots([4, 9]));
      expect(await reopened.get(deleted)).toBeNull();
      const hit = await reopened.check(randomDigest(), nearDuplicate(shingles, 5));
      expect(hit.prob).toBe(27 / 32);
      expect(hit.digest.equals(multi)).toBe(true);
      expect(slotsOf(hit)).toEqual(slots([51, 8], [50, 3]));
    });
  });
}
