import { createHash } from 'node:crypto';
import { zbase32Encode } from '../../../../shared/protocol/zbase32.js';

/**
 * Bytewise (UTF-8) string order. rspamd sorts symbol names with Lua's `<`, which compares bytes (spec/neural.md
 * §4.3); JS `<` compares UTF-16 code units and differs for some non-ASCII names, so we only trust it for ASCII.
 */
export function compareBytewise(a: string, b: string): number {
  if (isAscii(a) && isAscii(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** A sorted copy, in the order rspamd stores a profile's symbols (§4.3). */
export function sortSymbols(symbols: readonly string[]): string[] {
  return [...symbols].sort(compareBytewise);
}

/**
 * The profile digest (§4.2): BLAKE2b-512 over the sorted names concatenated without separator, rendered in
 * rspamd's base32 (103 characters). Sorting here makes the digest independent of the caller's order, exactly as
 * rspamd sorts before hashing.
 */
export function symbolsDigest(symbols: readonly string[]): string {
  const hash = createHash('blake2b512');
  for (const name of sortSymbols(symbols)) hash.update(name, 'utf8');
  return zbase32Encode(hash.digest());
}
