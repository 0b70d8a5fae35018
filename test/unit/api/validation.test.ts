import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../server/src/common/api-error.js';
import { toProblem } from '../../../server/src/common/problem.js';
import { parseDigestHex, parseFlagList, parseFlagParam, parseShingles, parseString, parseValue } from '../../../server/src/common/validation.js';
import { bearerToken, scopeAllows, tokenHint } from '../../../server/src/auth/token-secret.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ValidationError ? err.field : 'not a ValidationError';
  }
  return undefined;
}

describe('validators name the failing field', () => {
  it('digests: exactly 128 hex characters, either case', () => {
    expect(parseDigestHex('AB'.repeat(64)).equals(Buffer.alloc(64, 0xab))).toBe(true);
    for (const bad of ['ab'.repeat(63), 'ab'.repeat(65), `${'a'.repeat(127)}g`, 12, null, ['a']]) {
      expect(fieldOf(() => parseDigestHex(bad))).toBe('digest');
    }
  });

  it('flags from paths: decimal 0..255 only', () => {
    expect(parseFlagParam('255')).toBe(255);
    for (const bad of ['256', '-1', '1e2', '0x1', ' 1', '', '1.0']) expect(fieldOf(() => parseFlagParam(bad)), bad).toBe('flag');
  });

  it('values: signed 32-bit integers', () => {
    expect(parseValue(-(2 ** 31))).toBe(-(2 ** 31));
    for (const bad of [2 ** 31, 1.5, '1', NaN, Infinity]) expect(fieldOf(() => parseValue(bad))).toBe('value');
  });

  it('shingles: 32 u64 decimal strings (or safe integers), the failing index named', () => {
    const max = '18446744073709551615';
    expect(parseShingles(Array(32).fill(max)).at(0)).toBe(2n ** 64n - 1n);
    expect(parseShingles(Array(32).fill(7)).at(31)).toBe(7n);
    const bad = Array(32).fill('1');
    bad[9] = '-1';
    expect(fieldOf(() => parseShingles(bad))).toBe('shingles[9]');
    expect(fieldOf(() => parseShingles(Array(31).fill('1')))).toBe('shingles');
    expect(fieldOf(() => parseShingles(Array(32).fill(2 ** 60)))).toBe('shingles[0]');
  });

  it('flag lists: 1..8 {flag, value} slots without a repeated flag, the failing entry and key named', () => {
    const slots = Array.from({ length: 8 }, (_, i) => ({ flag: i * 30, value: 2 ** 31 - 1 - i }));
    expect(parseFlagList(slots)).toEqual(slots);
    // A listed item's flags carry flagName, accepted so they can be sent back as they are.
    expect(parseFlagList([{ flag: 1, value: -3, flagName: 'spam' }])).toEqual([{ flag: 1, value: -3 }]);
    const cases: [unknown, string][] = [
      [{ flag: 1, value: 1 }, 'flags'],
      ['1:10', 'flags'],
      [[], 'flags'],
      [[...slots, { flag: 255, value: 1 }], 'flags'],
      [[{ flag: 4, value: 1 }, { flag: 4, value: 2 }], 'flags'],
      [[{ flag: 1, value: 1 }, 3], 'flags[1]'],
      [[{ flag: 256, value: 1 }], 'flags[0].flag'],
      [[{ flag: '1', value: 1 }], 'flags[0].flag'],
      [[{ value: 1 }], 'flags[0].flag'],
      [[{ flag: 1, value: 2 ** 31 }], 'flags[0].value'],
      [[{ flag: 1, value: 0.5 }], 'flags[0].value'],
      [[{ flag: 1, value: 1, weight: 2 }], 'flags[0].weight'],
    ];
    for (const [bad, field] of cases) expect(fieldOf(() => parseFlagList(bad)), JSON.stringify(bad)).toBe(field);
  });

  it('strings: trimmed, bounded, no control characters', () => {
    expect(parseString('  spam ', 'name', { max: 10 })).toBe('spam');
    expect(fieldOf(() => parseString('x\u0007', 'name', { max: 10 }))).toBe('name');
    expect(parseString(null, 'd', { max: 1, nullable: true })).toBeNull();
  });
});

describe('problems', () => {
  it('a 5xx hides its message; a 4xx keeps it with the field', () => {
    expect(toProblem(new Error('secret path /etc/x'), '/x').problem).toMatchObject({ status: 500, detail: 'internal error' });
    expect(toProblem(new ValidationError('flag', 'bad'), '/x')).toMatchObject({
      problem: { status: 400, detail: 'flag: bad', field: 'flag', instance: '/x' },
      internal: false,
    });
  });
});

describe('token helpers', () => {
  it('parses bearer headers strictly', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    for (const bad of [undefined, '', 'Bearer', 'Basic abc', 'Bearer a b', ['Bearer a']]) expect(bearerToken(bad as never)).toBeNull();
  });

  it('scopes nest and hints never reveal more than 4 random characters', () => {
    expect([scopeAllows('admin', 'write'), scopeAllows('write', 'read'), scopeAllows('read', 'write'), scopeAllows('write', 'admin')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(tokenHint(`fzd_${'A'.repeat(43)}`)).toBe('fzd_AAAA…');
    expect(tokenHint('short-secret')).toBe('…');
  });
});
