import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DigestTable } from '../../../server/src/fuzzy/memory/digest-table.js';
import { FuzzyIndex } from '../../../server/src/fuzzy/memory/fuzzy-index.js';
import { ShingleTable } from '../../../server/src/fuzzy/memory/shingle-table.js';
import { ShingleBlock } from '../../../shared/protocol/shingle-block.js';

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
  it.each([0.6, 0.85, 0.9])('get/set/removeIfOwner agree with the model through many growths (max load %s)', (maxLoad) => {
    const next = rng(7);
    const table = new ShingleTable(16, maxLoad);
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

  it('every stored value stays findable at every step of a resize, and absent ones stay absent', () => {
    const next = rng(3);
    const table = new ShingleTable(16, 0.9);
    const stored: [number, number][] = [];
    for (let i = 0; i < 3000; i++) {
      const key: [number, number] = [next(), next()];
      table.set(key[0], key[1], i);
      stored.push(key);
      // Full sweep: a Robin Hood swap or a migration step that loses or shadows an entry shows at once.
      if (i % 97 === 0) stored.forEach(([lo, hi], owner) => expect(table.get(lo, hi)).toBe(owner));
      expect(table.get(next(), next())).toBe(-1);
    }
    expect(table.bytes).toBeLessThan((3000 / 0.5) * 12);
  });
});

describe('DigestTable', () => {
  it('finds every inserted digest and forgets removed ones', () => {
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
        const slot = table.reserve(digest);
        table.publish(slot);
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

describe('FuzzyIndex resizes finished in idle time', () => {
  it('give back the old tables and keep every digest and shingle match', () => {
    const next = rng(5);
    const index = new FuzzyIndex(86_400);
    const stored: { digest: Buffer; shingles: ShingleBlock }[] = [];
    const resizing = (): boolean => index.finishResizes(0);
    // Stop right after a resize started: the old tables are still there.
    for (let i = 0; i < 20_000 && (i < 1000 || !resizing()); i++) {
      const digest = Buffer.alloc(64);
      for (let b = 0; b < 64; b += 4) digest.writeUInt32LE(next(), b);
      const shingles = Buffer.alloc(256);
      for (let b = 0; b < 256; b += 4) shingles.writeUInt32LE(next(), b);
      const block = new ShingleBlock(shingles);
      index.upsert({ digest, flag: 1, value: 1, time: 1000, extraFlags: [] }, block);
      stored.push({ digest, shingles: block });
    }
    expect(resizing()).toBe(true);
    const before = index.bytes;
    let slices = 0;
    while (index.finishResizes(500)) slices++;
    expect(slices).toBeGreaterThan(0);
    expect(index.bytes).toBeLessThan(before);
    for (const { digest, shingles } of stored) {
      expect(index.check(digest, null, 1001).prob).toBe(1);
      const other = Buffer.alloc(64, 0xee);
      expect(index.check(other, shingles, 1001).digest.equals(digest)).toBe(true);
    }
  });
});

describe('FuzzyIndex image (what a snapshot stores)', () => {
  it('rebuilds an index that answers exactly like the original, mid-resize, with freed slots, extra flags and creation times', async () => {
    const { readIndexSnapshot, writeIndexSnapshot } = await import('../../../server/src/fuzzy/sqlite/index/index-snapshot.js');
    const { tempDir } = await import('../../helpers/temp-dir.js');
    const next = rng(21);
    const original = new FuzzyIndex(86_400);
    const all: { digest: Buffer; shingles: ShingleBlock }[] = [];
    for (let i = 0; i < 3000; i++) {
      const digest = Buffer.alloc(64);
      for (let b = 0; b < 64; b += 4) digest.writeUInt32LE(next(), b);
      const raw = Buffer.alloc(256);
      for (let b = 0; b < 256; b += 4) raw.writeUInt32LE(next(), b);
      const shingles = new ShingleBlock(raw);
      const extraFlags = i % 7 === 0 ? [{ flag: 20 + (i % 5), value: i }, { flag: 30, value: -i }] : [];
      // Created before the last write, as a hash learned again is: the copy must keep both.
      original.upsert({ digest, flag: i % 4, value: i, time: 1000 + i, extraFlags }, shingles, 500 + i);
      all.push({ digest, shingles });
      if (i % 9 === 0) original.remove(all[next() % all.length].digest, []);
    }
    const dir = tempDir();
    try {
      const identity = { size: '1', mtimeNs: '2', ino: '3' };
      await writeIndexSnapshot(dir.file('snap'), original.toImage(), identity);
      const read = await readIndexSnapshot(dir.file('snap'), identity);
      if (!('image' in read)) throw new Error(read.reason);
      const copy = new FuzzyIndex(86_400, {}, read.image);
      expect(copy.size).toBe(original.size);
      expect(copy.countByFlag()).toEqual(original.countByFlag());
      const probe = Buffer.alloc(64, 0xab);
      const kept = all.find(({ digest }) => original.get(digest, 2000));
      expect(copy.get(kept!.digest, 2000)!.time - copy.get(kept!.digest, 2000)!.created).toBe(500);
      for (const { digest, shingles } of all) {
        expect(copy.get(digest, 2000)).toEqual(original.get(digest, 2000));
        expect(copy.check(probe, shingles, 2000)).toEqual(original.check(probe, shingles, 2000));
      }
      // Both go on the same way: the copy is a working index, not a frozen one.
      const digest = Buffer.alloc(64, 0x5a);
      for (const index of [original, copy]) index.upsert({ digest, flag: 9, value: 1, time: 5000, extraFlags: [] }, null);
      expect(copy.get(digest, 5000)).toEqual(original.get(digest, 5000));
      expect(await readIndexSnapshot(dir.file('snap'), { ...identity, size: '9' })).toEqual({ reason: 'the store changed since the snapshot was taken' });
      // A snapshot of the format before creation times is rebuilt from the file, not read without them.
      const bytes = readFileSync(dir.file('snap'));
      const at = bytes.indexOf('"format":2');
      bytes.write('"format":1', at);
      writeFileSync(dir.file('snap'), bytes);
      expect(await readIndexSnapshot(dir.file('snap'), identity)).toEqual({ reason: 'snapshot format 1, this fuzzyd reads 2' });
    } finally {
      dir.remove();
    }
  });
});
