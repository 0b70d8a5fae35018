import { describe, expect, it } from 'vitest';
import {
  buildProfile, distanceSorted, isDistanceCandidate, parseProfile, parseProfileMembers, serializeProfile, sortSymbols,
  symbolsDigest,
} from '../../../server/src/neural/redis/profile-codec.js';

const TEST_SYMBOLS = [
  ...Array.from({ length: 14 }, (_, i) => `SPAM_SYMBOL${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `HAM_SYMBOL${i + 1}`),
];

describe('symbols digest (spec/neural.md §4.2)', () => {
  it('matches rspamd for AAA,BBB,CCC (full 103 characters from rspamd 3.4 table_digest)', () => {
    const d = symbolsDigest(['AAA', 'BBB', 'CCC']);
    expect(d).toBe('fq4egefbwce46ifffpoejncm4ajympkcaoigbwiyzacb9qtxb7hy1mzg4x4s63ibashk3ngc75wjcy8koxwct9aqd5trdxczss9nq9n');
    expect(d).toHaveLength(103);
  });

  it('matches the live profile digest of the 28 test symbols, whatever their input order', () => {
    const expected =
      '5rmbwnukhmaxkf8wj4d5kc9rfk16rrhposiyscjcef1uqa135co19sj9cyxdcogbbmrzygd19r7gir9tidy1ax37fokaieub1pacygn';
    expect(symbolsDigest(TEST_SYMBOLS)).toBe(expected);
    expect(symbolsDigest([...TEST_SYMBOLS].reverse())).toBe(expected);
  });

  it('sorts bytewise like Lua, not by UTF-16 units', () => {
    expect(sortSymbols(['b', 'B', 'a', 'A_1', 'A'])).toEqual(['A', 'A_1', 'B', 'a', 'b']);
    // U+FF21 (EF BC A1 in UTF-8) sorts before U+1F600 (F0 …) bytewise, but after it in UTF-16 (0xFF21 > 0xD83D).
    expect(sortSymbols(['\u{1F600}', '\uFF21'])).toEqual(['\uFF21', '\u{1F600}']);
  });
});

describe('profile JSON (spec/neural.md §4.1)', () => {
  it('writes the bytes rspamd 3.4 writes (ucl json-compact, sorted keys)', () => {
    // Both strings were produced by rspamd 3.4's `ucl.to_format(profile, 'json-compact', true)`.
    expect(
      serializeProfile({ digest: 'abc', symbols: ['A', 'B'], version: 0, distance: 0, redis_key: 'rn_x_default_abc_0' }),
    ).toBe('{"digest":"abc","symbols":["A","B"],"version":0,"distance":0,"redis_key":"rn_x_default_abc_0"}');
    expect(serializeProfile({ redis_key: 'rn_x_default_abc_3', version: 3, symbols: ['A', 'B'], digest: 'abc' })).toBe(
      '{"digest":"abc","symbols":["A","B"],"version":3,"redis_key":"rn_x_default_abc_3"}',
    );
  });

  it('never writes fields outside the schema', () => {
    const withExtra = { digest: 'd', symbols: [], version: 1, redis_key: 'k', extra: true } as unknown as Parameters<
      typeof serializeProfile
    >[0];
    expect(serializeProfile(withExtra)).toBe('{"digest":"d","symbols":[],"version":1,"redis_key":"k"}');
  });

  it('builds version 0 with distance 0 and later versions without it', () => {
    const target = { prefix: 'rn', rulePrefix: 'default', settings: 'default' };
    const v0 = buildProfile(target, TEST_SYMBOLS, 0);
    expect(v0.redis_key).toBe('rn_default_default_5rmbwnuk_0');
    expect(v0.symbols[0]).toBe('HAM_SYMBOL1');
    expect(v0.symbols[1]).toBe('HAM_SYMBOL10');
    expect(serializeProfile(v0)).toMatch(/"version":0,"distance":0,"redis_key":"rn_default_default_5rmbwnuk_0"}$/);
    expect(buildProfile(target, TEST_SYMBOLS, 2).distance).toBeUndefined();
  });

  it('parses valid members and says whether their bytes are canonical', () => {
    const canonical = '{"digest":"d","symbols":["A"],"version":1,"redis_key":"k"}';
    expect(parseProfile(canonical)).toEqual({
      ok: true,
      profile: { digest: 'd', symbols: ['A'], version: 1, redis_key: 'k' },
      canonical: true,
    });
    const reordered = '{"version":1,"digest":"d","symbols":["A"],"redis_key":"k"}';
    expect(parseProfile(reordered)).toMatchObject({ ok: true, canonical: false });
  });

  it.each([
    ['not json', 'not valid JSON'],
    ['[1,2]', 'not a JSON object'],
    ['{"digest":"d","symbols":[],"version":1,"redis_key":"k","note":"x"}', 'unexpected field(s) note'],
    ['{"digest":"d","symbols":[],"version":1}', 'missing field(s) redis_key'],
    ['{"digest":1,"symbols":[],"version":1,"redis_key":"k"}', 'digest is not a string'],
    ['{"digest":"d","symbols":[1],"version":1,"redis_key":"k"}', 'symbols is not an array of strings'],
    ['{"digest":"d","symbols":[],"version":"1","redis_key":"k"}', 'version is not a number'],
    ['{"digest":"d","symbols":[],"version":1,"redis_key":"k","distance":"0"}', 'distance is not a number'],
  ])('rejects %s (%s)', (text, reason) => {
    const r = parseProfile(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('keeps valid members and reports invalid ones with their score', () => {
    const r = parseProfileMembers([
      { member: '{"digest":"d","symbols":[],"version":2,"redis_key":"k2"}', score: 20 },
      { member: '{"bad":true}', score: 15 },
      { member: '{"digest":"d","symbols":[],"version":1,"redis_key":"k1"}', score: 10 },
    ]);
    expect(r.profiles.map((p) => [p.profile.version, p.score])).toEqual([
      [2, 20],
      [1, 10],
    ]);
    expect(r.invalid).toEqual([{ member: '{"bad":true}', score: 15, reason: expect.stringContaining('bad') }]);
  });
});

describe('distance_sorted (spec/neural.md §4.4)', () => {
  // Expected values computed by rspamd 3.4's own lua_util.distance_sorted.
  it.each([
    [['A', 'C'], ['B', 'D'], 2],
    [[], ['A'], 1],
    [['A', 'B', 'C'], ['A', 'B', 'C'], 0],
    [['A', 'B', 'C', 'D'], ['A', 'C'], 2],
    [['A', 'C'], ['A', 'B', 'C', 'D'], 2],
    [['X'], ['A', 'B', 'C'], 3],
    [['A', 'B', 'C'], ['X'], 3],
    [['B', 'C', 'D', 'E'], ['A', 'B', 'C', 'D'], 1],
    [['A', 'B', 'C', 'D'], ['B', 'C', 'D', 'E'], 1],
    [['A', 'D', 'E', 'F', 'G'], ['B', 'C', 'D', 'E', 'F'], 3],
    [['a', 'b'], ['A', 'B'], 2],
  ])('d(%j, %j) = %i', (a, b, d) => {
    expect(distanceSorted(a, b)).toBe(d);
  });

  it('admits candidates only below 30 % of the set size', () => {
    expect(isDistanceCandidate(2, 10)).toBe(true);
    expect(isDistanceCandidate(3, 10)).toBe(false);
    expect(isDistanceCandidate(0, 0)).toBe(false);
  });
});
