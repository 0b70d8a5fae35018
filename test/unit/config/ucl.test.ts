import { describe, expect, it } from 'vitest';
import { parseUcl, UclError } from '../../../server/src/config/ucl.js';

describe('parseUcl: the libucl syntax of rspamd configs and maps', () => {
  it('reads a worker-fuzzy.inc body: comments, bare values, arrays, implicit top-level object', () => {
    const text = [
      '# Fuzzy storage worker setup',
      'backend = "redis";',
      '#hash_file = "${DBDIR}/fuzzy.db";',
      'expire = 90d;',
      'allow_update = ["localhost", "10.0.0.0/8"];',
      'encrypted_only = yes',
      'keypair_cache_size: 512',
      'ratelimit_rate = 0.5 // per second',
    ].join('\n');
    expect(parseUcl(text)).toEqual({
      backend: 'redis',
      expire: '90d',
      allow_update: ['localhost', '10.0.0.0/8'],
      encrypted_only: true,
      keypair_cache_size: 512,
      ratelimit_rate: 0.5,
    });
  });

  it('reads a dynamic_keys_map file: a top-level array of keypair objects with `;` inside and `,` between', () => {
    const text = `[{
    privkey = "aaa";
    pubkey = "bbb";
    type = "kex";
    encoding = "base32";
},
{
    privkey = "ccc";
    pubkey = "ddd";
    extensions { name = "customer-b"; allowed_ops = ["read", "write"]; expire = "31-12-2026"; }
}]`;
    expect(parseUcl(text)).toEqual([
      { privkey: 'aaa', pubkey: 'bbb', type: 'kex', encoding: 'base32' },
      { privkey: 'ccc', pubkey: 'ddd', extensions: { name: 'customer-b', allowed_ops: ['read', 'write'], expire: '31-12-2026' } },
    ]);
  });

  it('a repeated key collects its values in order (two or more keypair blocks); named sections nest', () => {
    const text = 'keypair { privkey = "a"; }\nkeypair { privkey = "b"; }\nkeypair { privkey = "c"; }\nworker "fuzzy" { count = 1; }';
    expect(parseUcl(text)).toEqual({
      keypair: [{ privkey: 'a' }, { privkey: 'b' }, { privkey: 'c' }],
      worker: { fuzzy: { count: 1 } },
    });
  });

  it('quoted strings, escapes, nested block comments, JSON itself', () => {
    expect(parseUcl(`a = 'it\\'s'; b = "tab\\there"; /* outer /* inner */ still */ c = off; d = null; e = -1.5e3`)).toEqual({
      a: "it's",
      b: 'tab\there',
      c: false,
      d: null,
      e: -1500,
    });
    expect(parseUcl('{"allow_update": ["127.0.0.1"], "read_only": false}')).toEqual({ allow_update: ['127.0.0.1'], read_only: false });
  });

  it.each([
    ['.include "$CONFDIR/x.inc"', /line 1, column 1: macros/],
    ['a = ${DBDIR}/fuzzy.db', /variables/],
    ['a = "open\nb = 1', /line 1, column 10: a line end inside a quoted string/],
    ['a = [1, 2', /missing '\]'/],
    ['a { b = 1;', /missing '}'/],
    ['a = 1 2', /expected ';', ',' or a line end/],
    ['a =', /a value is missing/],
    ['/* never closed', /a comment is not closed/],
  ])('refuses %j with the place and the reason', (text, reason) => {
    expect(() => parseUcl(text)).toThrow(UclError);
    expect(() => parseUcl(text)).toThrow(reason);
  });
});
