/**
 * rspamd's own base32 (spec/fuzzy-protocol.md §9.1): alphabet ybndrfg8ejkmcpqxot1uwisza345h769, bits taken
 * least-significant first. Not RFC 4648 and not standard z-base-32's bit order.
 */
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function zbase32Encode(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc |= byte << bits;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[acc & 31];
      acc >>>= 5;
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[acc & 31];
  return out;
}

/** Throws on any character outside the (lowercase) alphabet; leftover bits are dropped as rspamd does. */
export function zbase32Decode(text: string): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? DECODE[code] : -1;
    if (v < 0) throw new Error(`invalid zbase32 character '${text[i]}' at position ${i}`);
    acc |= v << bits;
    bits += 5;
    if (bits >= 8) {
      out.push(acc & 0xff);
      acc >>>= 8;
      bits -= 8;
    }
  }
  return Buffer.from(out);
}
