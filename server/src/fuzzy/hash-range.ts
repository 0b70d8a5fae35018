/**
 * Digest ranges for keyset pagination and prefix search. Digests sort as bytes (rspamd stores them as TEXT with the
 * BINARY collation, i.e. memcmp), which is the order of their hex form, so a hex prefix is a contiguous range.
 */
export interface DigestRange {
  /** Lower bound, or null for "from the first digest". */
  from: Buffer | null;
  /** Whether `from` itself is excluded (a cursor is the last digest already returned). */
  fromExclusive: boolean;
  /** Exclusive upper bound, or null for "to the last digest". */
  to: Buffer | null;
}

/**
 * The digests starting with `prefix` (lowercase hex, any length up to 128): from the prefix padded with zeros, up to
 * the next prefix of the same length. An odd length covers half a byte, e.g. `ab3` is [ab30, ab40).
 */
export function prefixRange(prefix: string): DigestRange {
  if (prefix === '') return { from: null, fromExclusive: false, to: null };
  const next = BigInt(`0x${prefix}`) + 1n;
  const overflow = next >> BigInt(prefix.length * 4) !== 0n;
  return {
    from: hexBound(prefix),
    fromExclusive: false,
    to: overflow ? null : hexBound(next.toString(16).padStart(prefix.length, '0')),
  };
}

/** Narrows a range to what follows the cursor (the last digest of the previous page). */
export function afterCursor(range: DigestRange, cursor: Buffer | null): DigestRange {
  if (!cursor) return range;
  if (range.from && Buffer.compare(cursor, range.from) < 0) return range;
  return { ...range, from: cursor, fromExclusive: true };
}

function hexBound(hex: string): Buffer {
  return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
}
