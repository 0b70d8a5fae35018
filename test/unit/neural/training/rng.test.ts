import { describe, expect, it } from 'vitest';
import { KANN_DEFAULT_SEED, KannRandom } from '../../../../server/src/neural/training/rng.js';

// Independent model of spec §9.6 in BigInt arithmetic, written from the spec's wording.
const M = (1n << 64n) - 1n;
const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & M;
function* specOutputs(a: bigint, b: bigint): Generator<bigint> {
  for (;;) {
    const out = (a + b) & M;
    const c = b ^ a;
    const na = rotl(a, 55n) ^ c ^ ((c << 14n) & M);
    const nb = rotl(a, 36n); // both rotations use the old a
    a = na;
    b = nb;
    yield out;
  }
}
const specUniform = (out: bigint) => {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, (0x3ffn << 52n) | (out >> 12n));
  return view.getFloat64(0) - 1;
};

describe('kann xoroshiro128+ (spec §9.6)', () => {
  it('starts from rspamd’s fixed state', () => {
    expect(KANN_DEFAULT_SEED).toEqual([0x50f5647d2380309dn, 0x91ffa96fc4c62ccen]);
  });

  it('first outputs from the fixed state match a BigInt model of the spec', () => {
    const rng = new KannRandom();
    const ref = specOutputs(...KANN_DEFAULT_SEED);
    // the very first output is simply s0 + s1 mod 2^64
    expect(rng.nextU64()).toBe((0x50f5647d2380309dn + 0x91ffa96fc4c62ccen) & M);
    ref.next();
    for (let i = 0; i < 2000; i++) expect(rng.nextU64()).toBe(ref.next().value);
  });

  it('uniform() is the bit-cast mantissa construction, exactly', () => {
    const rng = new KannRandom();
    const ref = specOutputs(...KANN_DEFAULT_SEED);
    for (let i = 0; i < 2000; i++) {
      const u = rng.uniform();
      expect(u).toBe(specUniform(ref.next().value!));
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });

  it('handles carries and high bits for arbitrary seeds', () => {
    const seed: [bigint, bigint] = [0xffffffffffffffffn, 0x8000000000000001n];
    const rng = new KannRandom(seed);
    const ref = specOutputs(...seed);
    for (let i = 0; i < 500; i++) expect(rng.nextU64()).toBe(ref.next().value);
    expect(rng.state()).not.toEqual(seed);
  });

  it('rejects the all-zero state and out-of-range words', () => {
    expect(() => new KannRandom([0n, 0n])).toThrow(RangeError);
    expect(() => new KannRandom([1n << 64n, 1n])).toThrow(RangeError);
  });
});

describe('polar normal (spec §9.5)', () => {
  it('returns the second value of each accepted pair first, then the cached first value', () => {
    const rng = new KannRandom();
    const uni = new KannRandom();
    const expected: number[] = [];
    while (expected.length < 200) {
      const v1 = 2 * uni.uniform() - 1;
      const v2 = 2 * uni.uniform() - 1;
      const s = v1 * v1 + v2 * v2;
      if (s >= 1 || s === 0) continue;
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      expected.push(v2 * f, v1 * f);
    }
    const got = Array.from({ length: 200 }, () => rng.normal());
    expect(got).toEqual(expected);
    // and it is a standard normal
    const many = Array.from({ length: 20000 }, () => rng.normal());
    const mean = many.reduce((a, b) => a + b, 0) / many.length;
    const variance = many.reduce((a, b) => a + (b - mean) ** 2, 0) / many.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('shuffle (spec §9.6)', () => {
  it('is the identity followed by swaps of floor(i·u) with i−1 for i = k..1', () => {
    const rng = new KannRandom([7n, 11n]);
    const uni = new KannRandom([7n, 11n]);
    const k = 37;
    const expected = Array.from({ length: k }, (_, i) => i);
    for (let i = k; i > 0; i--) {
      const j = Math.floor(i * uni.uniform());
      [expected[j], expected[i - 1]] = [expected[i - 1], expected[j]];
    }
    const got = rng.shuffle(k);
    expect(Array.from(got)).toEqual(expected);
    expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: k }, (_, i) => i));
  });

  it('consumes exactly k uniforms, so later draws continue the stream', () => {
    const a = new KannRandom();
    const b = new KannRandom();
    a.shuffle(10);
    for (let i = 0; i < 10; i++) b.uniform();
    expect(a.state()).toEqual(b.state());
  });
});
