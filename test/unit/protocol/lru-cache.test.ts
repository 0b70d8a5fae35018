/** The shared-key cache must keep recently used keys and evict the least recently used one (spec §9.2). */
import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../shared/protocol/lru-cache.js';

describe('LruCache', () => {
  it('evicts the least recently used entry, where a get counts as a use', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    expect(c.get('a')).toBe(1);
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c')]).toEqual([1, undefined, 3]);
    expect(c.size).toBe(2);
  });

  it('overwriting a key refreshes it without growing', () => {
    const c = new LruCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.set('a', 10);
    c.set('c', 3);
    expect([c.get('a'), c.get('b')]).toEqual([10, undefined]);
  });

  it('rejects a capacity below 1', () => {
    expect(() => new LruCache(0)).toThrow(RangeError);
  });
});
