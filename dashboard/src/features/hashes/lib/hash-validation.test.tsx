// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { parseShinglesText, prefixError, validateHashForm, validatePatch } from './hash-validation';

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

describe('validatePatch', () => {
  it('sends only what changed', () => {
    expect(validatePatch({ flag: 1, value: 10 }, { flag: '1', value: '12' })).toEqual({ errors: {}, patch: { value: 12 } });
    expect(validatePatch({ flag: 1, value: 10 }, { flag: '3', value: '10' })).toEqual({ errors: {}, patch: { flag: 3 } });
  });

  it('says so when nothing changed', () => {
    expect(validatePatch({ flag: 1, value: 10 }, { flag: '1', value: '10' }).errors).toEqual({ body: 'Nothing changed' });
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
