import { BlockList, isIP } from 'node:net';

/** One entry of an allow/block map: an address or CIDR as the admin wrote it, normalised. */
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
  const [address, prefixText, extra] = trimmed.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) throw new InvalidNetworkError(`'${text}' is not an IP address or CIDR`);
  const maxPrefix = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? maxPrefix : Number(prefixText);
  if (prefixText !== undefined && (!/^\d{1,3}$/.test(prefixText) || prefix > maxPrefix)) {
    throw new InvalidNetworkError(`'${text}' has an invalid prefix length (0..${maxPrefix})`);
  }
  return [{ cidr: `${address}/${prefix}`, family: family as 4 | 6, address, prefix }];
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
  private readonly blockList = new BlockList();
  private readonly memo = new Map<string, boolean>();

  constructor(readonly entries: readonly NetworkEntry[]) {
    for (const e of entries) {
      this.blockList.addSubnet(e.address, e.prefix, e.family === 4 ? 'ipv4' : 'ipv6');
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
    // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; match them against the IPv4 entries.
    const mapped = MAPPED_V4.exec(address);
    if (mapped) return this.blockList.check(mapped[1], 'ipv4') || this.blockList.check(address, 'ipv6');
    return this.blockList.check(address, address.includes(':') ? 'ipv6' : 'ipv4');
  }
}
