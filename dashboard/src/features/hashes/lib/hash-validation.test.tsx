// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { parseShinglesText, prefixError, validateFlagList, validateHashForm } from './hash-validation';

const DIGEST = 'ab'.repeat(64);

describe('validateHashForm', () => {
  it('builds the POST body from valid input (digest lowercased, numbers parsed)', () => {
    const { errors, body } = validateHashForm({ digest: ` ${DIGEST.toUpperCase()} `, flag: '2', value: '-5', shingles: '' });
    expect(errors).toEqual({});
    expect(body).toEqual({ digest: DIGEST, flag: 2, value: -5 });
  });

  it('names every field at fault with a message an admin can act on', () => {
    const { errors, body } = validateHashForm({ digest: 'xyz', flag: '300', value: '1.5', shingles: '1 2 3' });
    expect(body).toBeUndefined();
    expect(errors).toEqual({
      digest: 'A digest is 128 hex characters (got 3)',
      flag: 'A flag is a whole number from 0 to 255',
      value: 'The value is a whole number',
      shingles: 'Give exactly 32 shingles (got 3), or none',
    });
  });

  it('asks for missing values', () => {
    const { errors } = validateHashForm({ digest: '', flag: '', value: '', shingles: '' });
    expect(errors).toEqual({ digest: 'Enter the digest', flag: 'Enter a flag (0–255)', value: 'Enter a value' });
  });

  it('rejects values outside 32 bits', () => {
    expect(validateHashForm({ digest: DIGEST, flag: '1', value: '2147483648', shingles: '' }).errors.value).toMatch(/32 bits/);
  });
});

describe('parseShinglesText', () => {
  it('accepts 32 u64 values separated by commas, spaces or newlines, keeping big values exact', () => {
    const values = Array.from({ length: 32 }, (_, i) => (18446744073709551615n - BigInt(i)).toString());
    expect(parseShinglesText(values.slice(0, 16).join(', ') + '\n' + values.slice(16).join(' '))).toEqual({ shingles: values });
  });

  it('rejects a value above 2^64-1 and says which one', () => {
    const values = Array.from({ length: 32 }, () => '1');
    values[4] = '18446744073709551616';
    expect(parseShinglesText(values.join(','))).toEqual({ error: 'Shingle 5 is not an unsigned 64-bit number' });
  });
});

describe('validateFlagList (mirrors the API: 1..8 slots, each flag once)', () => {
  const current = [{ flag: 1, value: 10 }, { flag: 2, value: 3 }];
  const rows = (...pairs: [string, string][]) => pairs.map(([flag, value]) => ({ flag, value }));

  it('builds the whole list in row order, first = primary', () => {
    expect(validateFlagList(current, rows(['7', '-2'], ['1', '10'], [' 2 ', '3']))).toEqual({
      errors: { rows: [{}, {}, {}] },
      flags: [{ flag: 7, value: -2 }, { flag: 1, value: 10 }, { flag: 2, value: 3 }],
    });
    // A removed slot is a change too.
    expect(validateFlagList(current, rows(['1', '10'])).flags).toEqual([{ flag: 1, value: 10 }]);
  });

  it('names the repeated flag on the later row, with the slot that has it', () => {
    const { errors, flags } = validateFlagList(current, rows(['1', '10'], ['2', '3'], ['1', '4']));
    expect(flags).toBeUndefined();
    expect(errors.rows).toEqual([{}, {}, { flag: 'Flag 1 is already in slot 1' }]);
  });

  it('puts flag and value mistakes on their rows', () => {
    const { errors } = validateFlagList(current, rows(['256', '1'], ['', 'x'], ['3', '2147483648']));
    expect(errors.rows).toEqual([
      { flag: 'A flag is a whole number from 0 to 255' },
      { flag: 'Enter a flag (0–255)', value: 'The value is a whole number' },
      { value: 'The value must fit in 32 bits (±2147483647)' },
    ]);
  });

  it('refuses no slot, more than 8, and an unchanged list', () => {
    expect(validateFlagList(current, []).errors.list).toMatch(/at least one flag/);
    const nine = Array.from({ length: 9 }, (_, i) => ({ flag: String(i), value: '1' }));
    expect(validateFlagList(current, nine).errors.list).toBe('A hash holds at most 8 flags');
    expect(validateFlagList(current, nine.slice(0, 8)).flags).toHaveLength(8);
    expect(validateFlagList(current, rows(['1', '10'], ['2', '3']))).toEqual({ errors: { rows: [{}, {}], list: 'Nothing changed' } });
  });
});

describe('prefixError', () => {
  it('allows empty and hex prefixes, refuses other characters and overlong input', () => {
    expect(prefixError('')).toBeNull();
    expect(prefixError('0a9f')).toBeNull();
    expect(prefixError('0x12')).toMatch(/hexadecimal/);
    expect(prefixError('a'.repeat(129))).toMatch(/128/);
  });
});
