import { describe, expect, it } from 'vitest';
import {
  annFamilyKeys, annKey, escapeGlob, parseAnnKey, parseProfilesKey, parseVectorKey, profilesKey, profilesKeyPattern,
  pendingSetKey, vectorListKey, vectorSetKey,
} from '../../../server/src/neural/redis/neural-keys.js';
import { LAYOUT_4_X, vectorWidth } from '../../../server/src/neural/redis/neural-layout.js';

const DIGEST = '5rmbwnukhmaxkf8wj4d5kc9rfk16rrhposiyscjcef1uqa135co19sj9cyxdcogbbmrzygd19r7gir9tidy1ax37fokaieub1pacygn';

describe('neural key layout (spec/neural.md §3)', () => {
  it('names the keys of the verified worked example', () => {
    expect(profilesKey('rn', 'default', 'default')).toBe('rn2_default_1_default');
    const k = annKey('rn', 'default', 'default', DIGEST, 1);
    expect(k).toBe('rn_default_default_5rmbwnuk_1');
    expect(vectorSetKey(k, 'spam')).toBe('rn_default_default_5rmbwnuk_1_spam_set');
    expect(vectorSetKey(k, 'ham')).toBe('rn_default_default_5rmbwnuk_1_ham_set');
    expect(vectorListKey(k, 'spam')).toBe('rn_default_default_5rmbwnuk_1_spam');
    expect(annFamilyKeys(k)).toEqual([k, `${k}_spam_set`, `${k}_ham_set`, `${k}_spam`, `${k}_ham`]);
  });

  it.each([
    ['rn', 'default', 'default'],
    ['rn', 'SHORT', 'default'],
    ['rn', 'my_rule', 'default'],
    ['my_pfx', 'LONG', 'my_settings'],
    ['rn', 'x', 'a_1_b'],
  ])('round-trips prefix=%s rule=%s settings=%s when the rule is configured', (prefix, rule, settings) => {
    const key = profilesKey(prefix, rule, settings);
    expect(parseProfilesKey(key, prefix, [{ rulePrefix: rule, settings: [settings] }])).toEqual({
      prefix,
      rulePrefix: rule,
      settings,
    });
  });

  it('uses the configured rule prefix to split names whose parts contain _1_', () => {
    const key = profilesKey('rn', 'a_1_b', 'c_1_d');
    // Without configuration the best effort splits at the last `_1_`, which is wrong here…
    expect(parseProfilesKey(key, 'rn')).toEqual({ prefix: 'rn', rulePrefix: 'a_1_b_1_c', settings: 'd' });
    // …a configured rule prefix (even with settings not configured) fixes it.
    expect(parseProfilesKey(key, 'rn', [{ rulePrefix: 'a_1_b', settings: ['default'] }])).toEqual({
      prefix: 'rn',
      rulePrefix: 'a_1_b',
      settings: 'c_1_d',
    });
  });

  it('best effort keeps underscores in rule names and assumes plain settings names', () => {
    expect(parseProfilesKey('rn2_my_1_rule_1_default', 'rn')).toEqual({
      prefix: 'rn',
      rulePrefix: 'my_1_rule',
      settings: 'default',
    });
    expect(parseProfilesKey('rn2_spam_rule_1_default', 'rn')?.rulePrefix).toBe('spam_rule');
  });

  it('rejects keys that are not profile zsets of this prefix', () => {
    expect(parseProfilesKey('rn_default_default_5rmbwnuk_1', 'rn')).toBeNull();
    expect(parseProfilesKey('xx2_default_1_default', 'rn')).toBeNull();
    expect(parseProfilesKey('rn2_default_default', 'rn')).toBeNull();
    expect(parseProfilesKey('rn2__1_default', 'rn')).toBeNull();
    expect(parseProfilesKey('rn2_default_1_', 'rn')).toBeNull();
  });

  it('parses ANN keys and vector keys from the right', () => {
    expect(parseAnnKey('rn_my_rule_default_5rmbwnuk_12')).toEqual({ stem: 'rn_my_rule_default', digest8: '5rmbwnuk', version: 12 });
    expect(parseAnnKey('rn_default_default_5rmbwnuk_1_spam_set')).toBeNull();
    expect(parseVectorKey('rn_default_default_5rmbwnuk_1_spam_set')).toEqual({
      annKey: 'rn_default_default_5rmbwnuk_1',
      cls: 'spam',
      layout: 'set',
    });
    expect(parseVectorKey('rn_default_default_5rmbwnuk_0_ham')).toEqual({
      annKey: 'rn_default_default_5rmbwnuk_0',
      cls: 'ham',
      layout: 'list',
    });
  });

  it('escapes glob characters of the prefix in the SCAN pattern', () => {
    expect(profilesKeyPattern('rn')).toBe('rn2_*');
    expect(profilesKeyPattern('a*b?[c]')).toBe('a\\*b\\?\\[c\\]2_*');
    expect(escapeGlob('x\\y')).toBe('x\\\\y');
  });
});

describe('4.x key layout (spec/neural-4x.md §1.1)', () => {
  it('names the 4.1.5 zset, pending sets and row width; the ANN key is the same as 3.4', () => {
    expect(profilesKey('rn', 'default', 'default', LAYOUT_4_X)).toBe('rn3_default_3_default');
    expect(pendingSetKey('rn', 'default', 'default', 'spam')).toBe('rn_default_default_pending_spam_set');
    expect(profilesKeyPattern('rn', LAYOUT_4_X)).toBe('rn3_*');
    expect(vectorWidth('4.x', 28)).toBe(74);
    expect(vectorWidth('3.4', 28)).toBe(54);
  });

  it('splits rn3_ keys at _3_, and never reads a 3.4 key as 4.x or back', () => {
    expect(parseProfilesKey('rn3_my_3_rule_3_default', 'rn', [], LAYOUT_4_X)).toEqual({ prefix: 'rn', rulePrefix: 'my_3_rule', settings: 'default' });
    expect(parseProfilesKey('rn3_a_1_b_3_c', 'rn', [{ rulePrefix: 'a_1_b', settings: ['c'] }], LAYOUT_4_X)).toEqual({ prefix: 'rn', rulePrefix: 'a_1_b', settings: 'c' });
    expect(parseProfilesKey('rn2_default_1_default', 'rn', [], LAYOUT_4_X)).toBeNull();
    expect(parseProfilesKey('rn3_default_3_default', 'rn')).toBeNull();
  });
});
