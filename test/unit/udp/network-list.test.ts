import { describe, expect, it } from 'vitest';
import { NetworkList, parseNetwork, parseNetworkList } from '../../../server/src/udp/network-list.js';

describe('NetworkList', () => {
  const list = new NetworkList(parseNetworkList('10.0.0.0/8,192.168.1.7,2001:db8::/32,localhost', 'test'));

  it('matches IPv4 and IPv6 addresses inside its networks and nothing else', () => {
    expect(list.contains('10.200.3.4')).toBe(true);
    expect(list.contains('11.0.0.1')).toBe(false);
    expect(list.contains('192.168.1.7')).toBe(true);
    expect(list.contains('192.168.1.8')).toBe(false);
    expect(list.contains('2001:db8:ffff::1')).toBe(true);
    expect(list.contains('2001:db9::1')).toBe(false);
    expect(list.contains('127.0.0.1')).toBe(true);
    expect(list.contains('::1')).toBe(true);
  });

  it('matches IPv4-mapped IPv6 sources against the IPv4 entries', () => {
    expect(list.contains('::ffff:10.1.2.3')).toBe(true);
    expect(list.contains('::ffff:12.1.2.3')).toBe(false);
  });

  it('answers the same for an address asked again and after the memo of answers starts over', () => {
    // More distinct sources than the memo holds: every answer must still come from the networks.
    for (let i = 0; i < 10_000; i++) {
      const inside = `10.${(i >> 8) & 255}.${i & 255}.1`;
      const outside = `172.16.${(i >> 8) & 255}.${i & 255}`;
      expect(list.contains(inside)).toBe(true);
      expect(list.contains(outside)).toBe(false);
    }
    expect(list.contains('10.0.0.1')).toBe(true);
    expect(list.contains('172.16.0.0')).toBe(false);
  });

  it('IPv6 entries never match IPv4 sources, however broad (`::/0`, `2001:db8::/0`)', () => {
    for (const cidr of ['::/0', '2001:db8::/0']) {
      const v6 = new NetworkList(parseNetworkList(cidr, 'test'));
      expect(v6.contains('10.1.2.3')).toBe(false);
      expect(v6.contains('2001:db8::5')).toBe(true);
    }
    expect(new NetworkList(parseNetworkList('0.0.0.0/0', 'test')).contains('2001:db8::5')).toBe(false);
  });

  it('an IPv6 entry for mapped addresses matches IPv4 peers of a dual-stack socket only as written', () => {
    const mapped = new NetworkList(parseNetworkList('::ffff:10.0.0.0/104', 'test'));
    expect(mapped.contains('::ffff:10.9.9.9')).toBe(true);
    expect(mapped.contains('10.9.9.9')).toBe(false);
  });

  it('an empty list contains nothing', () => {
    expect(new NetworkList([]).contains('127.0.0.1')).toBe(false);
  });
});

describe('parseNetwork', () => {
  it.each([
    ['10.0.0.5/8', '10.0.0.0/8'],
    ['192.168.1.77/24', '192.168.1.0/24'],
    ['10.0.0.5', '10.0.0.5/32'],
    ['2001:db8::1/32', '2001:db8::/32'],
    ['2001:db8:abcd:1234::9/52', '2001:db8:abcd:1000::/52'],
    ['::1', '::1/128'],
  ])('normalises %s to its network %s', (text, cidr) => {
    expect(parseNetwork(text).map((e) => e.cidr)).toEqual([cidr]);
  });

  it('refuses what is not an address or CIDR', () => {
    for (const text of ['10.0.0.0/33', '::/129', 'example.com', '10.0.0.0/8/1', 'fe80::1%eth0']) expect(() => parseNetwork(text)).toThrow();
  });
});
