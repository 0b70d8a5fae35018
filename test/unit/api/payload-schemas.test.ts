import { describe, expect, it } from 'vitest';
import { FlagUpdate, HashCreate, HashImportLine, HashListQuery, HashPatch, NetworkCreate, StatsQuery, TokenCreate } from '../../../shared/api/api-types.js';
import { NeuralVectorPush } from '../../../shared/api/neural.js';
import { schemaProblem } from '../../../shared/api/schema-problem.js';
import { ValidationError } from '../../../server/src/common/api-error.js';
import { decodeFlagList, decodeShingles, decodeText } from '../../../server/src/common/payload-decode.js';
import { checkPayload, checkQuery } from '../../../server/src/common/schema-input.js';
import { parseDigestHex } from '../../../server/src/common/validation.js';
import { readImportLine } from '../../../server/src/hashes/hash-input.js';

const digest = 'ab'.repeat(64);

function failure(fn: () => unknown): { field: string; message: string } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return { field: err.field!, message: err.message };
    throw err;
  }
  return undefined;
}

describe('payload schemas name the failing field and say what it must be', () => {
  it('a write: digest, flag and value checked, with the value it got', () => {
    expect(checkPayload(HashCreate, { digest: digest.toUpperCase(), flag: 255, value: -(2 ** 31) })).toMatchObject({ flag: 255 });
    const cases: [unknown, string, string][] = [
      [{ digest: 'abc', flag: 1, value: 1 }, 'digest', "digest: must be 128 hex characters (got 'abc')"],
      [{ digest, flag: 256, value: 1 }, 'flag', 'flag: must be an integer in 0..255 (got 256)'],
      [{ digest, flag: 1.5, value: 1 }, 'flag', 'flag: must be an integer in 0..255 (got 1.5)'],
      [{ digest, flag: '1', value: 1 }, 'flag', "flag: must be an integer in 0..255 (got '1')"],
      [{ digest, flag: 1 }, 'value', 'value: must be an integer in -2147483648..2147483647 (got undefined)'],
      [{ digest, flag: 1, value: 1, shingles: ['1'] }, 'shingles', 'shingles: must be an array of 32 unsigned 64-bit integers (got 1 items)'],
      [{ digest, flag: 1, value: 1, flg: 1 }, 'flg', 'flg: unknown field (expected digest, flag, value, shingles)'],
      [[1, 2], 'body', 'body: must be a JSON object (got an array)'],
      ['text', 'body', "body: must be a JSON object (got 'text')"],
    ];
    for (const [body, field, message] of cases) expect(failure(() => checkPayload(HashCreate, body)), JSON.stringify(body)).toEqual({ field, message });
  });

  it('an unknown field is reported before a bad one, the shallowest field first', () => {
    expect(failure(() => checkPayload(HashCreate, { digest: 'x', flag: 300, zz: 1 }))?.field).toBe('zz');
    expect(failure(() => checkPayload(HashPatch, { flags: [{ flag: 1, value: 1, weight: 3 }] }))?.field).toBe('flags[0].weight');
  });

  it('flag lists: 1..8 {flag, value} slots, the failing entry and key named; flagName accepted', () => {
    const slots = Array.from({ length: 8 }, (_, i) => ({ flag: i * 30, value: 2 ** 31 - 1 - i }));
    expect(checkPayload(HashPatch, { flags: slots }).flags).toEqual(slots);
    expect(decodeFlagList(checkPayload(HashPatch, { flags: [{ flag: 1, value: -3, flagName: 'spam' }] }).flags!)).toEqual([{ flag: 1, value: -3 }]);
    const cases: [unknown, string][] = [
      [{ flag: 1, value: 1 }, 'flags'],
      ['1:10', 'flags'],
      [[], 'flags'],
      [[...slots, { flag: 255, value: 1 }], 'flags'],
      [[{ flag: 1, value: 1 }, 3], 'flags[1]'],
      [[{ flag: 256, value: 1 }], 'flags[0].flag'],
      [[{ flag: '1', value: 1 }], 'flags[0].flag'],
      [[{ value: 1 }], 'flags[0].flag'],
      [[{ flag: 1, value: 2 ** 31 }], 'flags[0].value'],
      [[{ flag: 1, value: 0.5 }], 'flags[0].value'],
    ];
    for (const [flags, field] of cases) expect(failure(() => checkPayload(HashPatch, { flags }))?.field, JSON.stringify(flags)).toBe(field);
    expect(failure(() => decodeFlagList([{ flag: 4, value: 1 }, { flag: 4, value: 2 }]))).toEqual({ field: 'flags', message: 'flags: lists flag 4 twice' });
  });

  it('shingles: 32 u64 decimal strings (or safe integers); past 2^64-1 the decode step names the index', () => {
    const max = '18446744073709551615';
    expect(decodeShingles(Array(32).fill(max)).at(0)).toBe(2n ** 64n - 1n);
    expect(decodeShingles(Array(32).fill(7)).at(31)).toBe(7n);
    const bad = Array(32).fill('1');
    bad[9] = '-1';
    expect(failure(() => checkPayload(HashCreate, { digest, flag: 1, value: 1, shingles: bad }))?.field).toBe('shingles[9]');
    expect(failure(() => checkPayload(HashCreate, { digest, flag: 1, value: 1, shingles: Array(32).fill(2 ** 60) }))?.field).toBe('shingles[0]');
    expect(failure(() => decodeShingles(Array(32).fill('18446744073709551616')))?.field).toBe('shingles[0]');
  });

  it('import lines: flag/value or flags, agreeing when both; the whole line is `line`', () => {
    expect(readImportLine({ digest, flag: 2, value: 5, time: 1 })).toMatchObject({ flag: 2, value: 5, flags: null });
    expect(readImportLine({ digest, flags: [{ flag: 3, value: 1 }] })).toMatchObject({ flag: 3, value: 1, flags: [{ flag: 3, value: 1 }] });
    expect(failure(() => readImportLine(5))?.message).toBe('line: must be a JSON object (got 5)');
    expect(failure(() => readImportLine({ digest, value: 1 }))?.field).toBe('flag');
    expect(failure(() => readImportLine({ digest, flag: 2, flags: [{ flag: 1, value: 1 }] }))?.field).toBe('flag');
    expect(failure(() => readImportLine({ digest, flag: 1, value: 1, time: -1 }))?.field).toBe('time');
    expect(HashImportLine.properties.time).toBeDefined();
  });

  it('names and comments: bounded, printable, trimmed by the decode step', () => {
    expect(decodeText(checkPayload(FlagUpdate, { name: '  spam ' }).name, 'name')).toBe('spam');
    expect(decodeText(checkPayload(FlagUpdate, { name: 'x', description: '' }).description, 'description', true)).toBeNull();
    expect(failure(() => checkPayload(FlagUpdate, { name: '' }))).toEqual({ field: 'name', message: 'name: must not be empty' });
    expect(failure(() => checkPayload(FlagUpdate, { name: 'x'.repeat(65) }))?.message).toBe('name: must be at most 64 characters (got 65)');
    expect(failure(() => checkPayload(FlagUpdate, { name: 'a\nb' }))?.message).toBe('name: must not contain control characters');
    expect(failure(() => checkPayload(FlagUpdate, { name: 'x', description: 5 }))?.message).toBe('description: must be a string or null (got 5)');
    expect(failure(() => decodeText('   ', 'cidr'))?.field).toBe('cidr');
    expect(failure(() => checkPayload(NetworkCreate, { cidr: '1.2.3.4', extra: 1 }))?.field).toBe('extra');
  });

  it('enumerations list what they accept', () => {
    expect(failure(() => checkPayload(TokenCreate, { name: 'ci', scope: 'root' }))?.message).toBe("scope: must be one of 'read', 'write', 'admin' (got 'root')");
    expect(failure(() => checkPayload(TokenCreate, { scope: 'read' }))?.field).toBe('name');
  });

  it('neural vectors: a class and 1..100000 numbers, the failing index named', () => {
    expect(checkPayload(NeuralVectorPush, { class: 'ham', values: [0, 1.5] })).toEqual({ class: 'ham', values: [0, 1.5] });
    expect(failure(() => checkPayload(NeuralVectorPush, { class: 'eggs', values: [1] }))?.field).toBe('class');
    expect(failure(() => checkPayload(NeuralVectorPush, { class: 'spam', values: [] }))?.message).toMatch(/^values: must be a non-empty array/);
    expect(failure(() => checkPayload(NeuralVectorPush, { class: 'spam', values: [1, 'x'] }))?.message).toBe("values[1]: must be a finite number (got 'x')");
  });

  it('the shared check (CLI, dashboard) reports what the server would', () => {
    expect(schemaProblem(HashCreate, { digest, flag: 1, value: 1 })).toBeNull();
    expect(schemaProblem(HashCreate, { digest, flag: 300, value: 1 })).toEqual({ field: 'flag', message: 'must be an integer in 0..255 (got 300)' });
  });
});

describe('path digests read as body digests do', () => {
  it('the same schema and message, control characters escaped', () => {
    expect(failure(() => parseDigestHex('abc'))?.message).toBe(failure(() => checkPayload(HashCreate, { digest: 'abc', flag: 1, value: 1 }))?.message);
    expect(failure(() => parseDigestHex('\u0000'))?.message).toBe("digest: must be 128 hex characters (got '\\u0000')");
    expect(failure(() => parseDigestHex('a'.repeat(130), 'cursor'))).toEqual({ field: 'cursor', message: 'cursor: must be 128 hex characters (got a string of 130 characters)' });
  });
});

describe('query strings are checked against their schemas', () => {
  it('integers from decimal text only; unknown and repeated keys named', () => {
    expect(checkQuery(HashListQuery, { flag: '7', limit: '500', prefix: 'AB', cursor: '' })).toEqual({ flag: 7, limit: 500, prefix: 'AB', cursor: '' });
    const cases: [Record<string, unknown>, string][] = [
      [{ flag: '999' }, 'flag: must be an integer in 0..255 (got 999)'],
      [{ flag: '1e2' }, "flag: must be an integer in 0..255 (got '1e2')"],
      [{ flag: ['1', '2'] }, 'flag: must be an integer in 0..255 (got an array)'],
      [{ limit: '0' }, 'limit: must be an integer in 1..500 (got 0)'],
      [{ prefix: 'xyz' }, "prefix: must be 1 to 128 hex characters (got 'xyz')"],
      [{ cursor: 'abc' }, "cursor: must be 128 hex characters (got 'abc')"],
      [{ sort: 'digest' }, 'sort: unknown field (expected flag, prefix, limit, cursor)'],
    ];
    for (const [query, message] of cases) expect(failure(() => checkQuery(HashListQuery, query))?.message).toBe(message);
    expect(failure(() => checkQuery(StatsQuery, { minutes: '1441' }))?.field).toBe('minutes');
  });
});
