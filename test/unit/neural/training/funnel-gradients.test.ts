/**
 * The funnel network's new operators (GELU, layer norm, dropout) and the whole network's backward, checked against
 * central finite differences of the forward pass: a wrong sign, a missing term of the layer norm's Jacobian or a
 * dropout mask applied twice shows up as a relative error far above the float32 noise allowed here.
 */
import { describe, expect, it } from 'vitest';
import {
  dropoutBackward,
  dropoutForward,
  erf,
  geluBackward,
  geluForward,
  stdnormBackward,
  stdnormForward,
} from '../../../../server/src/neural/training/funnel-ops.js';
import { FunnelModel } from '../../../../server/src/neural/training/funnel-model.js';
import { type FunnelOptions, funnelParams, funnelShape, initFunnel } from '../../../../server/src/neural/training/funnel-network.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';

const rng = new KannRandom([0x1234n, 0x5678n]);
const randomArray = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rng.normal() * scale);

/** Σ w·f(x) for fixed random weights w: a scalar whose gradient is the backward of g = w. */
function checkOp(
  n: number,
  forward: (x: Float32Array) => Float32Array,
  backward: (x: Float32Array, y: Float32Array, g: Float32Array) => Float32Array,
  x: Float32Array,
): number {
  const w = randomArray(n);
  const scalar = (v: Float32Array) => forward(v).reduce((s, y, i) => s + y * w[i], 0);
  const analytic = backward(x, forward(x), w);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const h = 1e-2 * Math.max(1, Math.abs(x[i]));
    const up = x.slice();
    const down = x.slice();
    up[i] += h;
    down[i] -= h;
    const numeric = (scalar(up) - scalar(down)) / (up[i] - down[i]);
    worst = Math.max(worst, Math.abs(numeric - analytic[i]) / Math.max(1e-2, Math.abs(numeric)));
  }
  return worst;
}

describe('erf', () => {
  it('matches known values to double precision', () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 14);
    expect(erf(-1)).toBeCloseTo(-0.8427007929497149, 14);
    expect(erf(2)).toBeCloseTo(0.9953222650189527, 14);
    expect(erf(3)).toBeCloseTo(0.9999779095030014, 14);
    expect(erf(4.5)).toBeCloseTo(0.9999999998033839, 14);
  });
});

describe('funnel operators: backward = numerical gradient of forward', () => {
  it('GELU', () => {
    const x = randomArray(40, 2);
    const err = checkOp(
      40,
      (v) => {
        const y = new Float32Array(v.length);
        geluForward(v, y);
        return y;
      },
      (v, _y, g) => {
        const gx = new Float32Array(v.length);
        geluBackward(v, g, gx);
        return gx;
      },
      x,
    );
    expect(err).toBeLessThan(2e-3);
  });

  it('layer norm (stdnorm), two rows normalised independently', () => {
    const m = 2;
    const n = 16;
    const x = randomArray(m * n, 3);
    const err = checkOp(
      m * n,
      (v) => {
        const y = new Float32Array(v.length);
        stdnormForward(v, m, n, y, new Float32Array(m));
        return y;
      },
      (v, _y, g) => {
        const y = new Float32Array(v.length);
        const inv = new Float32Array(m);
        stdnormForward(v, m, n, y, inv);
        const gx = new Float32Array(v.length);
        stdnormBackward(y, g, m, n, inv, gx);
        return gx;
      },
      x,
    );
    expect(err).toBeLessThan(5e-3);
  });

  it('layer norm of a constant row only centres it (kann: no epsilon, 1/σ := 1)', () => {
    const y = new Float32Array(4);
    const inv = new Float32Array(1);
    stdnormForward(Float32Array.of(2, 2, 2, 2), 1, 4, y, inv);
    expect([...y]).toEqual([0, 0, 0, 0]);
    expect(inv[0]).toBe(1);
  });

  it('dropout with a fixed mask, kept values scaled by 1/(1 − rate)', () => {
    const rate = 0.25;
    const x = randomArray(64);
    const kept = new Uint8Array(64);
    const out = new Float32Array(64);
    const seed: [bigint, bigint] = [7n, 9n];
    dropoutForward(x, rate, new KannRandom(seed), out, kept);
    const dropped = kept.filter((k) => k === 0).length;
    expect(dropped).toBeGreaterThan(4);
    expect(dropped).toBeLessThan(32);
    const err = checkOp(
      64,
      (v) => {
        const y = new Float32Array(64);
        dropoutForward(v, rate, new KannRandom(seed), y, new Uint8Array(64)); // same draws, same mask
        return y;
      },
      (_v, _y, g) => {
        const gx = new Float32Array(64);
        dropoutBackward(g, rate, kept, gx);
        return gx;
      },
      x,
    );
    expect(err).toBeLessThan(1e-3);
    x.forEach((v, i) => expect(out[i]).toBe(kept[i] ? Math.fround(v * Math.fround(1 / 0.75)) : 0));
  });
});

describe('funnel network backward', () => {
  const cases: [string, FunnelOptions][] = [
    ['two GELU layers with layer norm', { layers: [0.5, 0.25], dropout: 0, useLayernorm: true }],
    ['one ReLU layer without layer norm', { layers: [1], dropout: 0, useLayernorm: false, activation: 'relu' }],
  ];
  for (const [label, options] of cases) {
    it(`matches finite differences of the batch cost: ${label}`, () => {
      const nIn = 48;
      const m = 6;
      const shape = funnelShape(nIn, options);
      const { weights, dropoutRngs } = initFunnel(shape, new KannRandom([3n, 4n]));
      // non-zero biases and γ ≠ 1 so that every term of the layer norm's gradient matters
      for (const l of weights.layers) {
        l.b.forEach((_, i) => (l.b[i] = rng.normal() * 0.3));
        l.gamma?.forEach((_, i) => (l.gamma![i] = 1 + rng.normal() * 0.3));
        l.beta?.forEach((_, i) => (l.beta![i] = rng.normal() * 0.3));
      }
      const model = new FunnelModel(weights, 0.01, dropoutRngs, m);
      const x = Float32Array.from({ length: m * nIn }, () => (rng.uniform() < 0.5 ? 0 : rng.uniform()));
      const t = Float32Array.of(1, -1, 1, -1, -1, 1);
      const cost = () => model.evaluate(x, t, m) / m;
      model.backward(x, t, m, false);
      const grads = model.gradients().map((g) => Float64Array.from(g));
      const params = funnelParams(model.weights);
      let checked = 0;
      params.forEach((p, pi) => {
        for (let k = 0; k < p.length; k += Math.max(1, Math.floor(p.length / 7))) {
          const old = p[k];
          const h = 1e-3; // small enough not to cross a ReLU kink with these rows
          p[k] = old + h;
          const up = cost();
          p[k] = old - h;
          const down = cost();
          p[k] = old;
          const numeric = (up - down) / (2 * h);
          expect(Math.abs(numeric - grads[pi][k]), `param ${pi}[${k}]: ${numeric} vs ${grads[pi][k]}`).toBeLessThan(
            2e-3 * Math.max(0.05, Math.abs(numeric)) + 2e-5,
          );
          checked++;
        }
      });
      expect(checked).toBeGreaterThan(20);
    });
  }
});
