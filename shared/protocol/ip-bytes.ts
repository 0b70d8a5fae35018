/**
 * Text <-> network-order bytes for the '4' and '6' request extensions (spec/fuzzy-protocol.md §4.3). Written by hand
 * because node:net has validators but no byte conversion, and the hot path must not go through DNS-style parsing.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function formatIpv4(buf: Uint8Array, off: number): string {
  return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
}

/** RFC 5952 canonical text: lowercase, no leading zeros, the longest run (>= 2) of zero groups shortened to "::". */
export function formatIpv6(buf: Uint8Array, off: number): string {
  const groups = new Array<number>(8);
  for (let i = 0; i < 8; i++) groups[i] = (buf[off + 2 * i] << 8) | buf[off + 2 * i + 1];
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${formatIpv4(buf, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return hexGroups(groups, 0, 8);
  return `${hexGroups(groups, 0, bestStart)}::${hexGroups(groups, bestStart + bestLen, 8)}`;
}

function hexGroups(groups: number[], from: number, to: number): string {
  return groups.slice(from, to).map((g) => g.toString(16)).join(':');
}

export interface IpBytes {
  family: 4 | 6;
  bytes: Buffer;
}

/** Returns null for anything that is not a literal IPv4 or IPv6 address (a zone suffix like %eth0 is ignored). */
export function parseIp(text: string): IpBytes | null {
  if (isIPv4(text)) return { family: 4, bytes: Buffer.from(text.split('.').map(Number)) };
  const bare = text.includes('%') ? text.slice(0, text.indexOf('%')) : text;
  if (!isIPv6(bare)) return null;
  return { family: 6, bytes: ipv6Bytes(bare) };
}

function ipv6Bytes(text: string): Buffer {
  let body = text;
  const tailWords: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.indexOf('.', lastColon) >= 0) {
    // Embedded dotted quad (e.g. ::ffff:192.0.2.1) fills the last two 16-bit groups.
    const [a, b, c, d] = body.slice(lastColon + 1).split('.').map(Number);
    tailWords.push((a << 8) | b, (c << 8) | d);
    body = body.slice(0, lastColon + 1) + '0:0';
  }
  const words = (part: string): number[] => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const gap = body.indexOf('::');
  let all: number[];
  if (gap < 0) {
    all = words(body);
  } else {
    const head = words(body.slice(0, gap));
    const tail = words(body.slice(gap + 2));
    all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  if (tailWords.length) all.splice(6, 2, ...tailWords);
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(all[i], 2 * i);
  return out;
}
