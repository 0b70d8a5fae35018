import { parseIp } from '../../../shared/protocol/ip-bytes.js';
import type { NetworkList } from '../udp/network-list.js';

/**
 * Which bucket a source address is charged to (docs/spec/access-controls.md §4.2): the address masked to
 * `/min(mask, 32)` for IPv4 and `/min(max(4·mask, 64), 128)` for IPv6 (default /24 and /96), or null when the
 * source is exempt: `ratelimit_whitelist` (matched on the unmasked address) and, as rspamd ≥ 3.14, local addresses.
 * IPv4-mapped IPv6 sources (a dual-stack socket's ::ffff:a.b.c.d) are IPv4 first, so one client is one bucket on
 * either socket.
 *
 * Keys are memoised per address string, so a datagram from a known source costs one Map lookup and allocates nothing;
 * the memo is bounded and starts over when full (a spoofing flood costs parsing, never memory).
 */
export interface SourceNetworkOptions {
  mask: number;
  whitelist: NetworkList;
  /** rspamd ≥ 3.14 (`rspamd_inet_address_is_local`): loopback and link/site-local IPv6 are never limited. 3.4–3.13 limit them. */
  exemptLocal: boolean;
}

const MEMO_LIMIT = 4096;
const EXEMPT = new Int32Array(0);
const MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

export class SourceNetworks {
  private readonly memo = new Map<string, Int32Array>();
  private readonly v4Prefix: number;
  private readonly v6Prefix: number;

  constructor(private readonly o: SourceNetworkOptions) {
    this.v4Prefix = Math.min(o.mask, 32);
    this.v6Prefix = Math.min(Math.max(4 * o.mask, 64), 128);
  }

  /** Tag word then 16 bytes as 4 words (bucket-table.ts), or null when this source is not limited. */
  keyOf(address: string): Int32Array | null {
    let key = this.memo.get(address);
    if (key === undefined) {
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      key = this.compute(address) ?? EXEMPT;
      this.memo.set(address, key);
    }
    return key === EXEMPT ? null : key;
  }

  /** The masked network a key stands for, for logs: `192.0.2.0/24`. */
  /**
   * The table key of a network as `describe` writes it (`10.0.0.0/24`), or null when it is not one of this mask's
   * networks: the bucket file and the admin API name buckets that way.
   */
  static keyOfNetwork(network: string, mask: number): Int32Array | null {
    const [address, prefixText] = network.split('/');
    const ip = parseIp(address ?? '');
    if (!ip) return null;
    const prefix = ip.family === 4 ? Math.min(mask, 32) : Math.min(Math.max(4 * mask, 64), 128);
    if (Number(prefixText) !== prefix) return null;
    const key = new Int32Array(5);
    key[0] = (ip.family << 8) | prefix;
    new Uint8Array(key.buffer, 4, 16).set(ip.bytes);
    return key;
  }

  static describe(key: Int32Array): string {
    const family = key[0] >>> 8;
    const prefix = key[0] & 255;
    const bytes = Buffer.from(key.buffer, key.byteOffset + 4, 16);
    if (family === 4) return `${[...bytes.subarray(0, 4)].join('.')}/${prefix}`;
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return `${groups.join(':')}/${prefix}`;
  }

  private compute(address: string): Int32Array | null {
    const ip = parseIp(address);
    // An address that is not one (a Unix socket peer has none) is never limited, as in rspamd.
    if (!ip) return null;
    let family = ip.family;
    let bytes: Uint8Array = ip.bytes;
    if (family === 6 && MAPPED_PREFIX.every((b, i) => bytes[i] === b)) {
      family = 4;
      bytes = bytes.subarray(12);
    }
    if (this.o.whitelist.size > 0 && this.o.whitelist.contains(address)) return null;
    if (this.o.exemptLocal && isLocal(family, bytes)) return null;
    const prefix = family === 4 ? this.v4Prefix : this.v6Prefix;
    const key = new Int32Array(5);
    key[0] = (family << 8) | prefix;
    const masked = new Uint8Array(key.buffer, 4, 16);
    masked.set(bytes);
    for (let bit = prefix; bit < 128; bit++) masked[bit >> 3] &= ~(0x80 >> (bit & 7));
    return key;
  }
}

/** rspamd_inet_address_is_local: 127/8, ::1, fe80::/10 and fec0::/10 (10/8 and 192.168/16 are not local). */
export function isLocal(family: 4 | 6, bytes: Uint8Array): boolean {
  if (family === 4) return bytes[0] === 127;
  if (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0x80) return true;
  if (bytes[0] === 0xfe && (bytes[1] & 0xc0) === 0xc0) return true;
  for (let i = 0; i < 15; i++) if (bytes[i] !== 0) return false;
  return bytes[15] === 1;
}
