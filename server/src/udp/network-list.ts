import { BlockList } from 'node:net';
import { formatIpv4, formatIpv6, parseIp } from '../../../shared/protocol/ip-bytes.js';

/** One entry of an allow/block map: an address or CIDR, normalised to its network address (`10.0.0.5/8` → `10.0.0.0/8`). */
export interface NetworkEntry {
  cidr: string;
  family: 4 | 6;
  address: string;
  prefix: number;
}

export class InvalidNetworkError extends Error {}

/**
 * Parses `1.2.3.4`, `10.0.0.0/8`, `2001:db8::/32`, `::1`. `localhost` is rspamd's shortcut for 127.0.0.1 and ::1
 * (spec/fuzzy-protocol.md §7), so it expands to two entries.
 */
export function parseNetwork(text: string): NetworkEntry[] {
  const trimmed = text.trim();
  if (trimmed === 'localhost') return [...parseNetwork('127.0.0.1'), ...parseNetwork('::1')];
  const [addressText, prefixText, extra] = trimmed.split('/');
  const ip = addressText.includes('%') ? null : parseIp(addressText);
  if (!ip || extra !== undefined) throw new InvalidNetworkError(`'${text}' is not an IP address or CIDR`);
  const maxPrefix = ip.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || prefix > maxPrefix)) {
    throw new InvalidNetworkError(`'${text}' has an invalid prefix length (0..${maxPrefix})`);
  }
  // Host bits are cleared, so the list shows exactly what an entry grants and `10.0.0.5/8` equals `10.0.0.0/8`.
  const bytes = Buffer.from(ip.bytes);
  for (let bit = prefix; bit < bytes.length * 8; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  const address = ip.family === 4 ? formatIpv4(bytes, 0) : formatIpv6(bytes, 0);
  return [{ cidr: `${address}/${prefix}`, family: ip.family, address, prefix }];
}

export function parseNetworkList(text: string | undefined, name: string): NetworkEntry[] {
  if (!text || !text.trim()) return [];
  return text.split(',').flatMap((item) => {
    try {
      return parseNetwork(item);
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}`);
    }
  });
}

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Distinct source addresses remembered per list; past this the memo starts over (a spoofing flood stays bounded). */
const MEMO_LIMIT = 4096;

/**
 * A set of networks answering "is this source address inside?". Immutable: a change builds a new list, so the UDP
 * hot path reads one reference and never sees a half-updated map.
 *
 * Answers are memoised per address string: `BlockList.check` wraps each string in a native SocketAddress whose weak
 * handle costs the young-generation GC about a microsecond to clear, on every WRITE. Mail servers writing to one
 * fuzzyd are few, so nearly every check is one Map lookup.
 */
export class NetworkList {
  /**
   * One BlockList per family: Node's BlockList matches IPv4 addresses against IPv6 subnets too (`::/0` or
   * `2001:db8::/0` admitted every IPv4 writer), so an IPv6 entry must never see an IPv4 source.
   */
  private readonly v4 = new BlockList();
  private readonly v6 = new BlockList();
  private readonly memo = new Map<string, boolean>();

  constructor(readonly entries: readonly NetworkEntry[]) {
    for (const e of entries) {
      if (e.family === 4) this.v4.addSubnet(e.address, e.prefix, 'ipv4');
      else this.v6.addSubnet(e.address, e.prefix, 'ipv6');
    }
  }

  get size(): number {
    return this.entries.length;
  }

  contains(address: string): boolean {
    if (this.entries.length === 0) return false;
    let inside = this.memo.get(address);
    if (inside === undefined) {
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      inside = this.lookup(address);
      this.memo.set(address, inside);
    }
    return inside;
  }

  private lookup(address: string): boolean {
    // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d: they match the IPv4 entries, and IPv6 entries only when
    // those are written for mapped addresses (::ffff:0:0/96 and the like).
    const mapped = MAPPED_V4.exec(address);
    if (mapped) return this.v4.check(mapped[1], 'ipv4') || this.v6.check(address, 'ipv6');
    return address.includes(':') ? this.v6.check(address, 'ipv6') : this.v4.check(address, 'ipv4');
  }
}
