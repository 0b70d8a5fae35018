/** CLI argument parsing: defaults, every command, and the input errors that must exit 1. */
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseCliArgs } from '../../../shared/client/cli-args.js';

const D = 'ab'.repeat(64);
const SH = Array.from({ length: 32 }, (_, i) => (i === 0 ? '18446744073709551615' : String(i))).join(',');

describe('parseCliArgs', () => {
  it('applies the defaults', () => {
    expect(parseCliArgs(['stat'])).toEqual({
      command: { kind: 'stat' },
      options: { server: { host: '127.0.0.1', port: 11335 }, json: false, key: undefined, timeoutMs: 1000, retries: 2, version: 4 },
    });
  });

  it('parses check with shingles as bigints (u64 max included)', () => {
    const { command } = parseCliArgs(['check', D.toUpperCase(), '--shingles', SH]);
    expect(command).toEqual({ kind: 'check', digest: D, shingles: [18446744073709551615n, ...Array.from({ length: 31 }, (_, i) => BigInt(i + 1))] });
  });

  it('parses add with flag and weight (weight defaults to 1, negative via =)', () => {
    expect(parseCliArgs(['add', D, '--flag', '3', '--weight', '10']).command).toEqual({ kind: 'add', digest: D, flag: 3, weight: 10, shingles: null });
    expect(parseCliArgs(['add', D, '-f', '0']).command).toMatchObject({ weight: 1 });
    expect(parseCliArgs(['add', D, '-f', '255', '--weight=-5']).command).toMatchObject({ flag: 255, weight: -5 });
  });

  it('parses del (flag optional), ping (value optional) and the global options', () => {
    expect(parseCliArgs(['del', D]).command).toEqual({ kind: 'del', digest: D, flag: 0 });
    expect(parseCliArgs(['del', D, '--flag', '7']).command).toEqual({ kind: 'del', digest: D, flag: 7 });
    expect(parseCliArgs(['ping']).command).toEqual({ kind: 'ping', value: 0 });
    expect(parseCliArgs(['ping', '42']).command).toEqual({ kind: 'ping', value: 42 });
    const { options } = parseCliArgs(['stat', '--server', '[::1]:11336', '--json', '--key', 'k', '--timeout', '250', '--retries', '0', '--proto', '3']);
    expect(options).toEqual({ server: { host: '::1', port: 11336 }, json: true, key: 'k', timeoutMs: 250, retries: 0, version: 3 });
  });

  it('returns help for no command or --help', () => {
    expect(parseCliArgs([]).command).toEqual({ kind: 'help' });
    expect(parseCliArgs(['check', '--help']).command).toEqual({ kind: 'help' });
  });

  it.each([
    ['a 127-char digest', ['check', D.slice(1)]],
    ['a non-hex digest', ['check', 'zz' + D.slice(2)]],
    ['a missing digest', ['check']],
    ['an extra argument', ['stat', 'x']],
    ['add without --flag', ['add', D]],
    ['flag 256', ['add', D, '--flag', '256']],
    ['flag -1', ['del', D, '--flag=-1']],
    ['a fractional flag', ['add', D, '--flag', '1.5']],
    ['weight over int32', ['add', D, '-f', '1', '--weight', '2147483648']],
    ['--weight on check', ['check', D, '--weight', '3']],
    ['--flag on stat', ['stat', '--flag', '1']],
    ['31 shingles', ['check', D, '--shingles', SH.split(',').slice(1).join(',')]],
    ['a shingle of 2^64', ['check', D, '--shingles', SH.replace('18446744073709551615', '18446744073709551616')]],
    ['a negative shingle', ['check', D, '--shingles', SH.replace('18446744073709551615', '-1')]],
    ['a bad server address', ['stat', '--server', 'localhost:99999']],
    ['an IPv6 server without brackets and a port', ['stat', '--server', '::1:11335:x']],
    ['an unknown command', ['fuzzy_add', D]],
    ['an unknown option', ['stat', '--verbose']],
    ['a zero timeout', ['stat', '--timeout', '0']],
    ['protocol 2', ['stat', '--proto', '2']],
    ['a non-numeric ping value', ['ping', 'abc']],
  ])('refuses %s with CliUsageError', (_label, argv) => {
    expect(() => parseCliArgs(argv)).toThrow(CliUsageError);
  });

  it('names the problem in the message', () => {
    expect(() => parseCliArgs(['check', 'abc'])).toThrow(/128 hex characters/);
    expect(() => parseCliArgs(['add', D, '--flag', '300'])).toThrow(/--flag must be an integer 0\.\.255/);
    expect(() => parseCliArgs(['stat', '--server', 'h:0'])).toThrow(/port must be 1\.\.65535/);
  });
});
