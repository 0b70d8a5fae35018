/** Address text <-> bytes for the '4'/'6' extensions: canonical output, and parse/format as inverses. */
import { describe, expect, it } from 'vitest';
import { formatIpv6, parseIp } from '../../../shared/protocol/ip-bytes.js';

describe('ip-bytes', () => {
  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['2001:db8::1', '20010db8000000000000000000000001'],
    ['2001:db8:0:1:1:1:1:1', '20010db8000000010001000100010001'], // a single zero group is not shortened
    ['2001:0:0:1::1', '20010000000000010000000000000001'], // the longer run wins
    ['2001:db8::1:0:0:1', '20010db8000000000001000000000001'], // on a tie the first run wins
    ['fe80::', 'fe800000000000000000000000000000'],
    ['::ffff:192.0.2.1', '00000000000000000000ffffc0000201'],
  ])('%s <-> %s', (text, hex) => {
    expect(formatIpv6(Buffer.from(hex, 'hex'), 0)).toBe(text);
    expect(parseIp(text)).toEqual({ family: 6, bytes: Buffer.from(hex, 'hex') });
  });

  it('parses non-canonical IPv6 spellings', () => {
    expect(parseIp('2001:DB8:0000::0001')!.bytes.toString('hex')).toBe('20010db8000000000000000000000001');
    expect(parseIp('1:2:3:4:5:6:7.8.9.10')!.bytes.toString('hex')).toBe('0001000200030004000500060708090a');
    expect(parseIp('fe80::1%eth0')!.bytes.toString('hex')).toBe('fe800000000000000000000000000001');
  });

  it('parses IPv4 and rejects non-addresses', () => {
    expect(parseIp('192.0.2.5')).toEqual({ family: 4, bytes: Buffer.from([192, 0, 2, 5]) });
    for (const bad of ['', 'localhost', '256.1.1.1', '1.2.3', '1::2::3', 'gggg::1']) expect(parseIp(bad)).toBeNull();
  });
});
