import { describe, expect, it } from 'vitest';
import {
  LazyDecay,
  RMSPROP_DECAY,
  rmspropRankOneColumn,
  rmspropStep,
} from '../../../../server/src/neural/training/rmsprop.js';

describe('RMSprop (spec §9.4 item 2)', () => {
  it('updates r ← 0.9r + 0.1g², θ ← θ − lr·g/sqrt(r + 1e-6)', () => {
    const theta = Float32Array.from([1, -2, 0.5]);
    const r = Float32Array.from([0, 0.04, 1]);
    const g = [0.3, -0.1, 0];
    rmspropStep(theta, r, g, 0.01);
    const expR = [0.1 * 0.09, 0.9 * 0.04 + 0.1 * 0.01, 0.9];
    expR.forEach((v, i) => expect(r[i]).toBeCloseTo(v, 6));
    expect(theta[0]).toBeCloseTo(1 - (0.01 * 0.3) / Math.sqrt(expR[0] + 1e-6), 6);
    expect(theta[1]).toBeCloseTo(-2 + (0.01 * 0.1) / Math.sqrt(expR[1] + 1e-6), 6);
    expect(theta[2]).toBe(0.5); // zero gradient: only the running square decays
  });

  it('lazy column updates equal dense updates over steps with gaps', () => {
    const h = 6;
    const nCols = 3;
    const lr = 0.05;
    // dense state: every column decays every step
    const denseW = Float32Array.from({ length: h * nCols }, (_, i) => Math.sin(i + 1));
    const denseR = new Float32Array(h * nCols);
    const lazyW = denseW.slice();
    const lazyR = new Float32Array(h * nCols);
    const decay = new LazyDecay(nCols);
    const w2 = Float32Array.from({ length: h }, (_, i) => 0.3 - 0.1 * i);
    // column 0 touched every step, column 1 on steps 1, 4, 9, column 2 only on step 2
    const touchedAt = [
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
      [1, 4, 9],
      [2],
    ];
    for (let step = 1; step <= 9; step++) {
      const cOf = (j: number) => (touchedAt[j].includes(step) ? 0.2 * Math.cos(step * (j + 1)) : 0);
      // dense reference: g(i, j) = w2[i]·c_j for every parameter, every step
      for (let j = 0; j < nCols; j++) {
        for (let i = 0; i < h; i++) {
          const idx = j * h + i;
          const g = w2[i] * cOf(j);
          denseR[idx] = Math.fround(1 - RMSPROP_DECAY) * g * g + RMSPROP_DECAY * denseR[idx];
          denseW[idx] = denseW[idx] - (Math.fround(lr) * g) / Math.sqrt(denseR[idx] + Math.fround(1e-6));
        }
      }
      const gW2 = new Float64Array(h);
      for (let j = 0; j < nCols; j++) {
        if (!touchedAt[j].includes(step)) continue;
        const before = lazyW.slice(j * h, j * h + h);
        rmspropRankOneColumn(lazyW, lazyR, j * h, h, cOf(j), w2, gW2, Math.fround(lr), decay.carry(j, step));
        expect(Array.from(before)).not.toEqual(Array.from(lazyW.slice(j * h, j * h + h)));
      }
    }
    for (let i = 0; i < lazyW.length; i++) expect(lazyW[i]).toBeCloseTo(denseW[i], 7);
    // bring lazily-decayed squares up to step 9 and compare too
    for (let j = 0; j < nCols; j++) {
      const f = Math.pow(RMSPROP_DECAY, 9 - decay.lastStep[j]);
      for (let i = 0; i < h; i++) expect(lazyR[j * h + i] * f).toBeCloseTo(denseR[j * h + i], 9);
    }
    expect(decay.lastStep[2]).toBe(2);
  });

  it('accumulates the pre-update column times c into the w2 gradient', () => {
    const w1t = Float32Array.from([0.5, -1, 2]);
    const r = new Float32Array(3);
    const w2 = Float32Array.from([1, 1, 1]);
    const gW2 = Float64Array.from([10, 10, 10]);
    rmspropRankOneColumn(w1t, r, 0, 3, 0.5, w2, gW2, 0.1, RMSPROP_DECAY);
    expect(Array.from(gW2)).toEqual([10.25, 9.5, 11]);
    expect(w1t[0]).not.toBe(0.5);
  });
});
