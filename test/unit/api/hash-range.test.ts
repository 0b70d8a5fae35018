import { describe, expect, it } from 'vitest';
import { afterCursor, prefixRange } from '../../../server/src/fuzzy/hash-range.js';

const hex = (b: Buffer | null): string | null => (b ? b.toString('hex') : null);

describe('prefixRange: a hex prefix as a byte range of digests', () => {
  it.each([
    ['ab', 'ab', 'ac'],
    ['ab3', 'ab30', 'ab40'],
    ['a', 'a0', 'b0'],
    ['0f', '0f', '10'],
    ['0fff', '0fff', '1000'],
    ['abf', 'abf0', 'ac00'],
    ['f', 'f0', null],
    ['ff', 'ff', null],
    ['fff', 'fff0', null],
  ])('%s → [%s, %s)', (prefix, from, to) => {
    const r = prefixRange(prefix);
    expect(hex(r.from)).toBe(from);
    expect(hex(r.to)).toBe(to);
    expect(r.fromExclusive).toBe(false);
  });

  it('a full 128-character prefix covers exactly that digest', () => {
    const digest = `${'7'.repeat(127)}e`;
    const r = prefixRange(digest);
    expect(hex(r.from)).toBe(digest);
    expect(hex(r.to)).toBe(`${'7'.repeat(127)}f`);
  });

  it('the empty prefix is unbounded', () => {
    expect(prefixRange('')).toEqual({ from: null, fromExclusive: false, to: null });
  });
});

describe('afterCursor', () => {
  it('starts after the cursor when the cursor is inside the range', () => {
    const cursor = Buffer.from('ab37', 'hex');
    expect(afterCursor(prefixRange('ab3'), cursor)).toMatchObject({ from: cursor, fromExclusive: true });
  });

  it('keeps the prefix start when the cursor is before it', () => {
    const range = prefixRange('ab3');
    expect(afterCursor(range, Buffer.from('aa', 'hex'))).toBe(range);
  });

  it('applies to an unbounded range', () => {
    const cursor = Buffer.from('01', 'hex');
    expect(afterCursor(prefixRange(''), cursor)).toEqual({ from: cursor, fromExclusive: true, to: null });
  });
});
