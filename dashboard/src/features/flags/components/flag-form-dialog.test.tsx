import { describe, expect, it } from 'vitest';
import { cidrFormError } from '../../access/api/networks-api';
import { validateFlagForm } from './flag-form-dialog';

/** The forms refuse what the API's schemas refuse (shared/api), before a round trip. */
describe('flag and network forms check with the API schemas', () => {
  it('a flag name: present, at most 64 characters, no control characters; the description at most 500', () => {
    expect(validateFlagForm({ flag: '7', name: ' spam ', description: '' })).toEqual({});
    expect(validateFlagForm({ flag: '256', name: '', description: '' })).toEqual({ flag: 'A flag is a whole number from 0 to 255', name: 'Enter a name' });
    expect(validateFlagForm({ flag: '1', name: 'x'.repeat(65), description: '' })).toEqual({ name: 'Must be at most 64 characters (got 65)' });
    expect(validateFlagForm({ flag: '1', name: 'a\tb', description: '' })).toEqual({ name: 'Must not contain control characters' });
    expect(validateFlagForm({ flag: '1', name: 'x', description: 'd'.repeat(501) })).toEqual({ description: 'Must be at most 500 characters (got 501)' });
  });

  it('a network: present, one entry, within the API bound', () => {
    expect(cidrFormError(' 10.0.0.0/8 ')).toBeNull();
    expect(cidrFormError('')).toMatch(/^Enter/);
    expect(cidrFormError('1.2.3.4, 5.6.7.8')).toMatch(/One address/);
    expect(cidrFormError('1'.repeat(65))).toBe('Must be at most 64 characters (got 65)');
  });
});
