/** The v4 extension area that follows the command and the optional shingle block (spec/fuzzy-protocol.md §4.3). */
import { ExtensionType } from './constants.js';
import { EncodeError, MalformedRequestError } from './errors.js';
import { formatIpv4, formatIpv6, parseIp } from './ip-bytes.js';
import type { RequestExtensions } from './types.js';

const MAX_DOMAIN_BYTES = 255;

/**
 * Parses buf[start..end) as extensions. An unknown type, a type byte with nothing after it, or a payload running past
 * the end throws; the whole datagram is then dropped as 3.4 does.
 *
 * Deviation from 3.4 (spec §4.3, rspamd issue #5446): a 0x00 type byte starts zero padding that runs to the end.
 * The 3.4 client leaves such a tail (`64 00 00 00 00`) when the From has no domain; 3.4 drops it, we answer it. Only
 * zero bytes may follow, so anything 3.4 would drop for a reason other than that bug is still dropped.
 */
export function parseExtensions(buf: Buffer, start: number, end: number): RequestExtensions {
  const ext: RequestExtensions = {};
  let pos = start;
  while (pos < end) {
    const type = buf[pos];
    if (type === 0) {
      for (let i = pos + 1; i < end; i++) {
        if (buf[i] !== 0) throw new MalformedRequestError('extension', `non-zero byte at ${i} after padding`);
      }
      return ext;
    }
    if (pos + 1 >= end) throw new MalformedRequestError('extension', `type 0x${hex2(type)} at ${pos} without payload`);
    switch (type) {
      case ExtensionType.Domain: {
        const len = buf[pos + 1];
        const from = pos + 2;
        if (from + len > end) throw new MalformedRequestError('extension', `domain of ${len} bytes overruns the datagram`);
        ext.domain = buf.toString('utf8', from, from + len);
        pos = from + len;
        break;
      }
      case ExtensionType.Ipv4:
        if (pos + 5 > end) throw new MalformedRequestError('extension', 'truncated IPv4 extension');
        ext.clientIp = formatIpv4(buf, pos + 1);
        pos += 5;
        break;
      case ExtensionType.Ipv6:
        if (pos + 17 > end) throw new MalformedRequestError('extension', 'truncated IPv6 extension');
        ext.clientIp = formatIpv6(buf, pos + 1);
        pos += 17;
        break;
      default:
        throw new MalformedRequestError('extension', `unknown type 0x${hex2(type)} at ${pos}`);
    }
  }
  return ext;
}

/** Domain first, then the address: the order the 3.4 client writes them in (spec §12), so captures re-encode exactly. */
export function encodeExtensions(ext: RequestExtensions): Buffer {
  const parts: Buffer[] = [];
  if (ext.domain !== undefined) {
    const name = Buffer.from(ext.domain, 'utf8');
    if (name.length > MAX_DOMAIN_BYTES) throw new EncodeError(`domain extension longer than ${MAX_DOMAIN_BYTES} bytes`);
    parts.push(Buffer.from([ExtensionType.Domain, name.length]), name);
  }
  if (ext.clientIp !== undefined) {
    const ip = parseIp(ext.clientIp);
    if (!ip) throw new EncodeError(`client IP extension '${ext.clientIp}' is not an IP address`);
    parts.push(Buffer.from([ip.family === 4 ? ExtensionType.Ipv4 : ExtensionType.Ipv6]), ip.bytes);
  }
  return Buffer.concat(parts);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
