/** Which bucket a source is charged to (docs/spec/access-controls.md §4.2): masks, mapped addresses, exemptions. */
import { describe, expect, it } from 'vitest';
import { SourceNetworks } from '../../../server/src/ratelimit/source-network.js';
import { NetworkList, parseNetworkList } from '../../../server/src/udp/network-list.js';

const networks = (mask = 24, whitelist = '', exemptLocal = true): SourceNetworks =>
  new SourceNetworks({ mask, whitelist: new NetworkList(parseNetworkList(whitelist, 'test')), exemptLocal });
const described = (s: SourceNetworks, address: string): string | null => {
  const key = s.keyOf(address);
  return key ? SourceNetworks.describe(key) : null;
};

describe('SourceNetworks', () => {
  it.each([
    { mask: 24, address: '192.0.2.77', want: '192.0.2.0/24' },
    { mask: 16, address: '192.0.2.77', want: '192.0.0.0/16' },
    { mask: 40, address: '192.0.2.77', want: '192.0.2.77/32' },
    { mask: 24, address: '::ffff:192.0.2.77', want: '192.0.2.0/24' },
    { mask: 24, address: '2001:db8:1:2:3:4:5:6', want: '2001:db8:1:2:3:4:0:0/96' },
    { mask: 8, address: '2001:db8:1:2:3:4:5:6', want: '2001:db8:1:2:0:0:0:0/64' },
    { mask: 32, address: '2001:db8:1:2:3:4:5:6', want: '2001:db8:1:2:3:4:5:6/128' },
    { mask: 24, address: '10.1.2.3', want: '10.1.2.0/24' },
  ])('mask $mask: $address → $want', ({ mask, address, want }) => {
    expect(described(networks(mask), address)).toBe(want);
  });

  it('charges one bucket for a network whichever host or socket family it came from', () => {
    const s = networks();
    expect(s.keyOf('192.0.2.1')).toEqual(s.keyOf('::ffff:192.0.2.200'));
    expect(s.keyOf('192.0.2.1')).not.toEqual(s.keyOf('192.0.3.1'));
  });

  it.each(['127.0.0.1', '127.9.9.9', '::1', 'fe80::1', 'febf::1', 'fec0::1', '::ffff:127.0.0.1'])('exempts local %s (rspamd ≥ 3.14)', (address) => {
    expect(networks().keyOf(address)).toBeNull();
    expect(networks(24, '', false).keyOf(address)).not.toBeNull(); // 3.4–3.13 limit them
  });

  it.each(['10.0.0.1', '192.168.1.1', '2001:db8::1', 'fc00::1'])('does not exempt %s', (address) => {
    expect(networks().keyOf(address)).not.toBeNull();
  });

  it('exempts the whitelist, matched on the unmasked address', () => {
    const s = networks(24, '192.0.2.5,2001:db8::/32');
    expect(s.keyOf('192.0.2.5')).toBeNull();
    expect(s.keyOf('::ffff:192.0.2.5')).toBeNull();
    expect(s.keyOf('192.0.2.6')).not.toBeNull(); // same /24, not whitelisted
    expect(s.keyOf('2001:db8::9')).toBeNull();
  });

  it('never limits what is not an address', () => {
    expect(networks().keyOf('/run/fuzzy.sock')).toBeNull();
  });

  it('returns the same key object for a known source (no allocation per datagram)', () => {
    const s = networks();
    expect(s.keyOf('192.0.2.1')).toBe(s.keyOf('192.0.2.1'));
  });
});
