/**
 * kann's random source, reproduced so that a training from the default state draws exactly the initial weights
 * and shuffles rspamd 3.4 draws (spec §9.5, §9.6).
 *
 * The generator is kann's variant of xoroshiro128+: the new second word is rotl(old first word, 36), not
 * rotl(first XOR second, 36) as in the reference algorithm (spec §9.6 "both rotations use the old a").
 * 64-bit words are kept as two uint32 halves: the generator runs once per weight at initialisation
 * (h·n ≈ 135k draws for n = 300), where BigInt arithmetic would cost a noticeable share of the training budget.
 */

export type RngSeed = readonly [bigint, bigint];

/** rspamd never seeds kann, so every process starts from this state (spec §9.6). */
export const KANN_DEFAULT_SEED: RngSeed = [0x50f5647d2380309dn, 0x91ffa96fc4c62ccen];

const MASK64 = (1n << 64n) - 1n;

/** sizeof(kad_rng_t): two uint64 words, a double, two ints. */
export const KANN_RNG_STATE_BYTES = 32;

/** kann's jump polynomial {0xbeac0467eba5facb, 0xd86b048b86aa9922} as [high, low] uint32 halves. */
const JUMP_WORDS: readonly (readonly [number, number])[] = [
  [0xbeac0467, 0xeba5facb],
  [0xd86b048b, 0x86aa9922],
];
const TWO_POW_32 = 4294967296;
const TWO_POW_20 = 1048576;
const TWO_POW_MINUS_52 = 2 ** -52;

export class KannRandom {
  private aHi = 0;
  private aLo = 0;
  private bHi = 0;
  private bLo = 0;
  private outHi = 0;
  private outLo = 0;
  /** Second value of the last polar pair, handed out by the next normal() call (kann caches it the same way). */
  private cachedNormal: number | null = null;

  constructor(seed: RngSeed = KANN_DEFAULT_SEED) {
    const [a, b] = seed;
    if ((a & MASK64) !== a || (b & MASK64) !== b) throw new RangeError('seed words must be unsigned 64-bit');
    if (a === 0n && b === 0n) throw new RangeError('xoroshiro128+ state must not be all zero');
    this.aHi = Number(a >> 32n);
    this.aLo = Number(a & 0xffffffffn);
    this.bHi = Number(b >> 32n);
    this.bLo = Number(b & 0xffffffffn);
  }

  /** Current state, e.g. to continue a second training from where the first one stopped (as a long-lived rspamd does). */
  state(): [bigint, bigint] {
    return [(BigInt(this.aHi) << 32n) | BigInt(this.aLo), (BigInt(this.bHi) << 32n) | BigInt(this.bLo)];
  }

  /** One raw 64-bit output (slow path for tests and diagnostics). */
  nextU64(): bigint {
    this.step();
    return (BigInt(this.outHi) << 32n) | BigInt(this.outLo);
  }

  /** Uniform double in [0, 1): the top 52 output bits as a mantissa of [1, 2), minus 1 — exact, no rounding. */
  uniform(): number {
    this.step();
    return (this.outHi * TWO_POW_20 + (this.outLo >>> 12)) * TWO_POW_MINUS_52;
  }

  /** N(0, 1) by the Marsaglia polar method, second value of each pair first (spec §9.5). */
  normal(): number {
    if (this.cachedNormal !== null) {
      const cached = this.cachedNormal;
      this.cachedNormal = null;
      return cached;
    }
    let v1: number;
    let v2: number;
    let s: number;
    do {
      v1 = 2 * this.uniform() - 1;
      v2 = 2 * this.uniform() - 1;
      s = v1 * v1 + v2 * v2;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.cachedNormal = v1 * f;
    return v2 * f;
  }

  /**
   * Random permutation of 0..k-1: identity, then for i = k..1 swap item floor(i·u) with item i-1 (spec §9.6).
   * Always starts from the identity, like kann, so the result depends only on the generator state.
   */
  shuffle(k: number): Int32Array {
    const out = new Int32Array(k);
    for (let i = 0; i < k; i++) out[i] = i;
    for (let i = k; i > 0; i--) {
      const j = Math.floor(i * this.uniform());
      const t = out[j];
      out[j] = out[i - 1];
      out[i - 1] = t;
    }
    return out;
  }

  /**
   * kann's jump (KA `kad_xoroshiro128plus_jump`): 128 steps whose states selected by the jump polynomial are
   * XOR-ed into the new state. kann jumps its global generator once for every dropout node it creates and gives the
   * node the jumped state as its own generator (KA `kad_rng`), so a funnel network's initial weights and shuffles
   * depend on where in the construction the dropout layers sit (neural-4x.md §4.2).
   * Returns a new generator with the jumped state; `this` is jumped too, as kann's global one is. The cached normal
   * of the polar method is not part of the jump (kann keeps it in the same struct and leaves it alone).
   */
  jump(): KannRandom {
    let s0Hi = 0;
    let s0Lo = 0;
    let s1Hi = 0;
    let s1Lo = 0;
    for (const word of JUMP_WORDS) {
      for (let b = 0; b < 64; b++) {
        const half = b < 32 ? word[1] : word[0];
        if ((half >>> (b & 31)) & 1) {
          s0Hi ^= this.aHi;
          s0Lo ^= this.aLo;
          s1Hi ^= this.bHi;
          s1Lo ^= this.bLo;
        }
        this.step();
      }
    }
    this.aHi = s0Hi >>> 0;
    this.aLo = s0Lo >>> 0;
    this.bHi = s1Hi >>> 0;
    this.bLo = s1Lo >>> 0;
    const child = new KannRandom([1n, 0n]);
    child.aHi = this.aHi;
    child.aLo = this.aLo;
    child.bHi = this.bHi;
    child.bLo = this.bLo;
    return child;
  }

  /**
   * kann's `kad_rng_t` as it lands in a saved graph (a dropout node's ptr, 32 bytes little-endian): s[0], s[1], the
   * cached normal (double), whether it is set (int32), and a lock word (int32, 0).
   */
  stateBytes(): Uint8Array {
    const out = new Uint8Array(KANN_RNG_STATE_BYTES);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.aLo, true);
    view.setUint32(4, this.aHi, true);
    view.setUint32(8, this.bLo, true);
    view.setUint32(12, this.bHi, true);
    view.setFloat64(16, this.cachedNormal ?? 0, true);
    view.setInt32(24, this.cachedNormal === null ? 0 : 1, true);
    return out;
  }

  /** out = a + b; c = a ^ b; a' = rotl(a, 55) ^ c ^ (c << 14); b' = rotl(a, 36). */
  private step(): void {
    const { aHi, aLo, bHi, bLo } = this;
    const lo = aLo + bLo;
    this.outLo = lo >>> 0;
    this.outHi = (aHi + bHi + (lo >= TWO_POW_32 ? 1 : 0)) >>> 0;

    const cHi = (aHi ^ bHi) >>> 0;
    const cLo = (aLo ^ bLo) >>> 0;
    // rotl(a, 55) = rotl(swap halves of a, 23)
    const r55Hi = ((aLo << 23) | (aHi >>> 9)) >>> 0;
    const r55Lo = ((aHi << 23) | (aLo >>> 9)) >>> 0;
    const shHi = ((cHi << 14) | (cLo >>> 18)) >>> 0;
    const shLo = (cLo << 14) >>> 0;
    // rotl(a, 36) = rotl(swap halves of a, 4)
    this.bHi = ((aLo << 4) | (aHi >>> 28)) >>> 0;
    this.bLo = ((aHi << 4) | (aLo >>> 28)) >>> 0;
    this.aHi = (r55Hi ^ cHi ^ shHi) >>> 0;
    this.aLo = (r55Lo ^ cLo ^ shLo) >>> 0;
  }
}
