/**
 * The three kautodiff operators rspamd 4.x's funnel network adds (neural-4x.md §4.2), forward and backward, on a
 * mini-batch stored row-major (m rows × n values) in Float32Arrays. Arithmetic follows kann's C: float32 values,
 * and for layer norm the double sums of the forward pass and the float sums of the backward pass (KA
 * `kad_op_stdnorm`, `kad_op_gelu`, `kad_op_dropout`). Backward functions add into the input gradient, as kann does.
 */
import type { KannRandom } from './rng.js';

const f = Math.fround;
const SQRT1_2 = f(Math.SQRT1_2);
/** 0.5f · (float)M_2_SQRTPI · (float)M_SQRT1_2, in kann's evaluation order: 1/√(2π) in float. */
const GELU_PDF_SCALE = f(f(0.5 * f(2 / Math.sqrt(Math.PI))) * SQRT1_2);

const SERIES_TERMS = 80;
const INV_K = Float64Array.from({ length: SERIES_TERMS }, (_, k) => 1 / k);
const INV_2K1 = Float64Array.from({ length: SERIES_TERMS }, (_, k) => 1 / (2 * k + 1));

/** erf in double: Maclaurin series below 2.5 (13+ digits there), else 1 − erfc by continued fraction (Lentz). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const a = Math.abs(x);
  let r: number;
  if (a < 2.5) {
    // Σ (−1)^k x^(2k+1) / (k! (2k+1)) · 2/√π
    let term = a;
    let sum = a;
    const x2 = -a * a;
    for (let k = 1; k < SERIES_TERMS; k++) {
      term *= x2 * INV_K[k];
      const add = term * INV_2K1[k];
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else if (a > 6) {
    r = 1;
  } else {
    // erfc(a) = e^(−a²)/√π · 1/(a + 1/2 / (a + 1 / (a + 3/2 / (a + 2 / …))))
    const tiny = 1e-300;
    let fv = a;
    let c = a;
    let d = 0;
    for (let k = 1; k < 200; k++) {
      const an = k / 2;
      d = a + an * d;
      d = d === 0 ? tiny : 1 / d;
      c = a + an / c;
      if (c === 0) c = tiny;
      const delta = c * d;
      fv *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / fv;
  }
  return x < 0 ? -r : r;
}

/** glibc's erff is correctly rounded to within an ulp; the double erf rounded to float is the same to that ulp. */
const erff = (x: number): number => f(erf(x));

/** GELU, exact erf form: 0.5f·x·(1 + erff(x·√½)). */
export function geluForward(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = f(f(0.5 * v) * f(1 + erff(f(v * SQRT1_2))));
  }
}

/** gx += g · (Φ(x) + x·φ(x)). */
export function geluBackward(x: Float32Array, g: Float32Array, gx: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    const cdf = f(0.5 * f(1 + erff(f(v * SQRT1_2))));
    const pdf = f(GELU_PDF_SCALE * f(Math.exp(f(f(-0.5 * v) * v))));
    gx[i] = f(gx[i] + f(g[i] * f(cdf + f(v * pdf))));
  }
}

/**
 * Layer norm without scale and shift (kann's stdnorm): each row minus its mean, divided by its population standard
 * deviation, no epsilon; a row with zero variance is only centred. `stdInv` receives 1/σ per row for the backward.
 */
export function stdnormForward(x: Float32Array, m: number, n: number, out: Float32Array, stdInv: Float32Array): void {
  for (let r = 0; r < m; r++) {
    const base = r * n;
    let s = 0;
    for (let i = 0; i < n; i++) s += x[base + i];
    const avg = f(s / n);
    s = 0;
    for (let i = 0; i < n; i++) {
      const d = f(x[base + i] - avg);
      out[base + i] = d;
      s += f(d * d);
    }
    const inv = s === 0 ? 1 : f(1 / Math.sqrt(s / n));
    for (let i = 0; i < n; i++) out[base + i] = f(out[base + i] * inv);
    stdInv[r] = inv;
  }
}

/** gx += σ⁻¹ · (g − mean(g) − y·mean(y·g)) per row, y being the forward output. */
export function stdnormBackward(
  y: Float32Array,
  g: Float32Array,
  m: number,
  n: number,
  stdInv: Float32Array,
  gx: Float32Array,
): void {
  const fn = f(n);
  for (let r = 0; r < m; r++) {
    const base = r * n;
    let s = 0;
    let t = 0;
    for (let i = 0; i < n; i++) {
      s = f(s + g[base + i]);
      t = f(t + f(y[base + i] * g[base + i]));
    }
    s = f(s / fn);
    t = f(t / fn);
    const inv = stdInv[r];
    for (let i = 0; i < n; i++) {
      const k = base + i;
      gx[k] = f(gx[k] + f(inv * f(f(g[k] - s) - f(y[k] * t))));
    }
  }
}

/**
 * Training-mode dropout: every value is kept when the node's own generator draws ≥ rate (one draw per value, in
 * storage order), kept values scaled by 1/(1 − rate). `kept` records the mask for the backward.
 */
export function dropoutForward(x: Float32Array, rate: number, rng: KannRandom, out: Float32Array, kept: Uint8Array): void {
  const r = f(rate);
  const z = f(1 / f(1 - r));
  for (let i = 0; i < x.length; i++) {
    const keep = rng.uniform() >= r;
    kept[i] = keep ? 1 : 0;
    out[i] = keep ? f(x[i] * z) : 0;
  }
}

export function dropoutBackward(g: Float32Array, rate: number, kept: Uint8Array, gx: Float32Array): void {
  const z = f(1 / f(1 - f(rate)));
  for (let i = 0; i < g.length; i++) if (kept[i]) gx[i] = f(gx[i] + f(z * g[i]));
}
