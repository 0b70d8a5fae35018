import { describe, expect, it } from 'vitest';
import {
  ceBinNegLoss,
  forward,
  hiddenWidth,
  initWeights,
  kannTanh,
  outputGradient,
} from '../../../../server/src/neural/training/network.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';

describe('network shape and init (spec §9.1, §9.5)', () => {
  it('hidden width is floor(n·mult + 1)', () => {
    expect(hiddenWidth(54, 1.5)).toBe(82);
    expect(hiddenWidth(300, 1.5)).toBe(451);
    expect(hiddenWidth(3, 1.5)).toBe(5);
    expect(hiddenWidth(10, 0)).toBe(1);
  });

  it('draws W1 row by row then w2, scaled by 1/sqrt(fan-in), biases zero', () => {
    const n = 5;
    const h = hiddenWidth(n, 1.5); // 8; 40 W1 draws, so w2 starts a fresh polar pair
    const w = initWeights(n, h, new KannRandom());
    const ref = new KannRandom();
    for (let i = 0; i < h * n; i++) expect(w.w1[i]).toBe(Math.fround(ref.normal() / Math.sqrt(n)));
    for (let i = 0; i < h; i++) expect(w.w2[i]).toBe(Math.fround(ref.normal() / Math.sqrt(h)));
    expect(Array.from(w.b1)).toEqual(new Array(h).fill(0));
    expect(w.b2[0]).toBe(0);
  });

  it('an odd number of W1 draws hands w2 the cached second polar value', () => {
    const n = 3;
    const h = 5; // 15 draws: the 16th normal (first of w2) is the cached half of a pair
    const w = initWeights(n, h, new KannRandom());
    const ref = new KannRandom();
    const normals = Array.from({ length: 20 }, () => ref.normal());
    expect(w.w2[0]).toBe(Math.fround(normals[15] / Math.sqrt(h)));
  });
});

describe('kann tanh, loss and gradient (spec §9.1, §9.2)', () => {
  it('tanh clamps below −20 and otherwise equals tanh in float32', () => {
    expect(kannTanh(-20.5)).toBe(-1);
    expect(kannTanh(-1000)).toBe(-1);
    expect(kannTanh(1000)).toBe(1);
    for (const z of [-19.9, -3, -0.5, 0, 0.25, 1, 4, 9]) expect(kannTanh(z)).toBeCloseTo(Math.tanh(z), 6);
    expect(kannTanh(4).toFixed(3)).toBe('0.999');
    expect(kannTanh(1).toFixed(3)).toBe('0.762');
  });

  it('loss is ln(2/(1+y)) for spam and ln(2/(1−y)) for ham, clamped at 1e-9', () => {
    expect(ceBinNegLoss(0.5, 1)).toBeCloseTo(Math.log(2 / 1.5), 12);
    expect(ceBinNegLoss(0.5, -1)).toBeCloseTo(Math.log(2 / 0.5), 12);
    expect(ceBinNegLoss(1, 1)).toBe(0);
    expect(ceBinNegLoss(-1, 1)).toBeCloseTo(Math.log(2 / Math.fround(1e-9)), 6);
  });

  it('gradient w.r.t. z is (y − t)/B, except kann’s zero when the output is saturated at the wrong sign', () => {
    for (const y of [-0.9, -0.2, 0, 0.3, 0.99]) {
      expect(outputGradient(y, 1, 64)).toBeCloseTo((y - 1) / 64, 12);
      expect(outputGradient(y, -1, 10)).toBeCloseTo((y + 1) / 10, 12);
    }
    expect(outputGradient(-1, 1, 4)).toBe(-0);
    expect(outputGradient(1, -1, 4)).toBe(0);
    expect(outputGradient(1, 1, 4)).toBe(-0);
  });

  it('forward applies ReLU to the inputs and keeps the hidden layer linear', () => {
    // h = 2, n = 2: hidden unit 1 would be negative; a hidden ReLU would zero it, the real network does not
    const w = {
      nIn: 2,
      hidden: 2,
      w1: Float32Array.from([1, 0, -3, 0]),
      b1: Float32Array.from([0, 0]),
      w2: Float32Array.from([1, 1]),
      b2: Float32Array.from([0.5]),
    };
    expect(forward(w, [1, 7])).toBeCloseTo(Math.tanh(1 - 3 + 0.5), 6);
    expect(forward(w, [-4, 7])).toBeCloseTo(Math.tanh(0.5), 6); // negative input clipped
    expect(() => forward(w, [1])).toThrow(RangeError);
  });
});
