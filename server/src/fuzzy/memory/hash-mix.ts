/** murmur3's finaliser: spreads every input bit over the 32-bit result, so linear probing stays short. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function mix64(lo: number, hi: number): number {
  return fmix32(lo ^ Math.imul(hi ^ 0x9e3779b9, 0x27d4eb2f));
}

export function nextPowerOfTwo(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
