/** --server parsing: every form rspamd users write, IPv6 in brackets, and clear refusals. */
import { describe, expect, it } from 'vitest';
import { ClientInputError } from '../../../shared/client/client-errors.js';
import { formatServerAddress, parseServerAddress } from '../../../shared/client/server-address.js';

describe('parseServerAddress', () => {
  it.each([
    ['127.0.0.1:11335', '127.0.0.1', 11335],
    ['127.0.0.1', '127.0.0.1', 11335],
    ['fuzzy.example:1', 'fuzzy.example', 1],
    ['localhost', 'localhost', 11335],
    ['[::1]:11336', '::1', 11336],
    ['[::1]', '::1', 11335],
    ['::1', '::1', 11335],
    ['2001:db8::5', '2001:db8::5', 11335],
    [' 10.0.0.1:65535 ', '10.0.0.1', 65535],
  ])('%j -> %s port %i', (text, host, port) => {
    expect(parseServerAddress(text)).toEqual({ host, port });
  });

  it.each(['', '127.0.0.1:0', '127.0.0.1:65536', '127.0.0.1:x', 'host:', '[::1', '[::1]x', '[nothost]:1', ':11335', '1::2::3', 'a b:1'])(
    'refuses %j',
    (text) => {
      expect(() => parseServerAddress(text)).toThrow(ClientInputError);
    },
  );

  it('formats back with brackets for IPv6', () => {
    expect(formatServerAddress({ host: '::1', port: 5 })).toBe('[::1]:5');
    expect(formatServerAddress({ host: '127.0.0.1', port: 5 })).toBe('127.0.0.1:5');
  });
});
