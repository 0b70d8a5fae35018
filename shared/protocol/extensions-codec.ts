/** The extension area after the command and the optional shingle block of a v4/v5 request (spec/fuzzy-protocol.md §4.3). */
import { ExtensionType, SENDER_FACTS_BYTES, SKIPPABLE_EXTENSION_MIN } from './constants.js';
import { EncodeError, MalformedRequestError } from './errors.js';
import { formatIpv4, formatIpv6, parseIp } from './ip-bytes.js';
import type { RequestExtensions } from './types.js';

const MAX_DOMAIN_BYTES = 255;

/**
 * Parses buf[start..end) as extensions (4.1.5's rules, §4.3):
 * - 'd' (length byte + domain), '4' (4 bytes), '6' (16 bytes) have implied lengths;
 * - types ≥ 0x80 carry a length byte; SENDER_FACTS (0x80) must be 4 bytes, any other such type is skipped;
 * - an entry that runs past the end of the datagram throws, and the datagram is dropped, as rspamd does.
 *
 * Two deviations, both making fuzzyd answer where rspamd drops, never the reverse:
 * - a 0x00 type byte starts zero padding that runs to the end: the 3.4 client leaves `64 00 00 00 00` when the From
 *   has no domain (rspamd issue #5446, fixed in 3.12); only zero bytes may follow;
 * - an unknown type below 0x80 stops the parse and the rest is ignored instead of refusing the request: its length is
 *   unknown, so nothing after it can be read, but nothing fuzzyd does depends on extensions.
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
    if (type >= SKIPPABLE_EXTENSION_MIN) {
      if (pos + 1 >= end) throw new MalformedRequestError('extension', `type 0x${hex2(type)} at ${pos} without its length`);
      const len = buf[pos + 1];
      const from = pos + 2;
      if (from + len > end) throw new MalformedRequestError('extension', `type 0x${hex2(type)} of ${len} bytes overruns the datagram`);
      if (type === ExtensionType.SenderFacts) {
        if (len !== SENDER_FACTS_BYTES) throw new MalformedRequestError('extension', `sender facts of ${len} bytes, want 4`);
        ext.senderFacts = buf.readUInt32BE(from);
      } else {
        ext.skipped = (ext.skipped ?? 0) + 1;
      }
      pos = from + len;
      continue;
    }
    switch (type) {
      case ExtensionType.Domain: {
        if (pos + 1 >= end) throw new MalformedRequestError('extension', `domain at ${pos} without its length`);
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
        ext.skipped = (ext.skipped ?? 0) + 1;
        return ext;
    }
  }
  return ext;
}

/** Domain, address, sender facts: the order 3.4 and 4.1.5 clients write them in (§4.3), so captures re-encode exactly. */
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
  if (ext.senderFacts !== undefined) {
    if (!Number.isInteger(ext.senderFacts) || ext.senderFacts < 0 || ext.senderFacts > 0xffffffff) {
      throw new EncodeError('sender facts must be an unsigned 32-bit integer');
    }
    const facts = Buffer.alloc(2 + SENDER_FACTS_BYTES);
    facts[0] = ExtensionType.SenderFacts;
    facts[1] = SENDER_FACTS_BYTES;
    facts.writeUInt32BE(ext.senderFacts, 2);
    parts.push(facts);
  }
  return Buffer.concat(parts);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
