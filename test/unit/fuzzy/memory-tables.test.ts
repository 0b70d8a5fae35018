import { describe, expect, it } from 'vitest';
import { DigestTable } from '../../../server/src/fuzzy/memory/digest-table.js';
import { FuzzyIndex } from '../../../server/src/fuzzy/memory/fuzzy-index.js';
import { ShingleTable } from '../../../server/src/fuzzy/memory/shingle-table.js';

/** Deterministic xorshift so a failing sequence can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describe('ShingleTable against a Map model, across incremental resizes', () => {
  it('get/set/removeIfOwner agree with the model through many growths', () => {
    const next = rng(7);
    const table = new ShingleTable(16, 0.6);
    const model = new Map<string, number>();
    const keys: [number, number][] = [];
    for (let step = 0; step < 60_000; step++) {
      const r = next() % 10;
      if (r < 6 || keys.length === 0) {
        // Small key space for `hi` so collisions of lo with different hi happen.
        const key: [number, number] = [next() % 5000, next() % 3];
        const owner = next() % 1000;
        table.set(key[0], key[1], owner);
        model.set(`${key[0]}:${key[1]}`, owner);
        keys.push(key);
      } else if (r < 8) {
        const [lo, hi] = keys[next() % keys.length];
        const owner = model.get(`${lo}:${hi}`);
        // Half the time with the wrong owner: nothing may change then.
        const asOwner = next() % 2 === 0 && owner !== undefined ? owner : 999_999;
        table.removeIfOwner(lo, hi, asOwner);
        if (owner !== undefined && asOwner === owner) model.delete(`${lo}:${hi}`);
      } else {
        const [lo, hi] = keys[next() % keys.length];
        expect(table.get(lo, hi)).toBe(model.get(`${lo}:${hi}`) ?? -1);
      }
    }
    for (const [lo, hi] of keys) expect(table.get(lo, hi)).toBe(model.get(`${lo}:${hi}`) ?? -1);
    expect(table.size).toBe(model.size);
  });
});

describe('DigestTable', () => {
  it('finds every inserted digest and forgets removed ones, reusing freed slots', () => {
    const next = rng(11);
    const table = new DigestTable(16);
    const live = new Map<string, { digest: Buffer; slot: number }>();
    for (let i = 0; i < 20_000; i++) {
      if (live.size > 0 && next() % 4 === 0) {
        const [key, entry] = [...live.entries()][next() % live.size];
        table.remove(entry.slot);
        live.delete(key);
        expect(table.find(entry.digest)).toBe(-1);
      } else {
        const digest = Buffer.alloc(64);
        for (let b = 0; b < 64; b += 4) digest.writeUInt32LE(next(), b);
        const slot = table.insert(digest);
        live.set(digest.toString('hex'), { digest, slot });
      }
    }
    for (const { digest, slot } of live.values()) {
      expect(table.find(digest)).toBe(slot);
      expect(table.digestAt(slot).equals(digest)).toBe(true);
    }
    expect(table.size).toBe(live.size);
  });
});

describe('FuzzyIndex per-flag counts', () => {
  it('match a recount of the stored hashes through inserts, re-flags, rewrites and removals', () => {
    const next = rng(99);
    const index = new FuzzyIndex(86_400);
    const model = new Map<string, number>();
    const digests = Array.from({ length: 300 }, (_, i) => {
      const d = Buffer.alloc(64);
      d.writeUInt32LE(i + 1, 0);
      d.writeUInt32LE(next(), 8);
      return d;
    });
    for (let step = 0; step < 5_000; step++) {
      const digest = digests[next() % digests.length];
      if (next() % 4 === 0) {
        index.remove(digest, []);
        model.delete(digest.toString('hex'));
      } else {
        const flag = next() % 5;
        index.upsert({ digest, flag, value: 1, time: 1000, extraFlags: [] }, null);
        model.set(digest.toString('hex'), flag);
      }
    }
    const recount = new Map<number, number>();
    for (const flag of model.values()) recount.set(flag, (recount.get(flag) ?? 0) + 1);
    const expected = [...recount].filter(([, n]) => n > 0).sort((x, y) => x[0] - y[0]).map(([flag, count]) => ({ flag, count }));
    expect(index.countByFlag()).toEqual(expected);
    expect(index.size).toBe(model.size);
  });
});
