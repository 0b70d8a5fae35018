import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../server/src/common/api-error.js';
import { toProblem } from '../../../server/src/common/problem.js';
import { parseDigestHex, parseFlagParam, parseNameParam } from '../../../server/src/common/validation.js';
import { bearerToken, scopeAllows, tokenHint } from '../../../server/src/auth/token-secret.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ValidationError ? err.field : 'not a ValidationError';
  }
  return undefined;
}

describe('path and query validators name the failing field', () => {
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

  it('names from paths: trimmed, bounded, no control characters', () => {
    expect(parseNameParam('  spam ', 'rule', 10)).toBe('spam');
    expect(fieldOf(() => parseNameParam('x\u0007', 'rule'))).toBe('rule');
    expect(fieldOf(() => parseNameParam('  ', 'rule'))).toBe('rule');
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
