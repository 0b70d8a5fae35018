import { describe, expect, it } from 'vitest';
import { PcaTensorError } from '../../../../server/src/neural/training/errors.js';
import { symmetricEigen } from '../../../../server/src/neural/training/eigen.js';
import { forward } from '../../../../server/src/neural/training/network.js';
import { pcaMatrix, projectRows, scatterMatrix } from '../../../../server/src/neural/training/pca.js';
import { parseTensor, serializeTensor } from '../../../../server/src/neural/training/pca-tensor.js';
import { KannRandom } from '../../../../server/src/neural/training/rng.js';
import { trainNetwork } from '../../../../server/src/neural/training/trainer.js';
import { syntheticRows, toTrainingData } from './synthetic-rows.js';

function randomSymmetric(n: number, seed: bigint): Float64Array {
  const rng = new KannRandom([seed, 3n]);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

function checkDecomposition(a: Float64Array, n: number, tol: number) {
  const { values, vectors } = symmetricEigen(a, n);
  let maxRecon = 0;
  let maxOrtho = 0;
  let scale = 0;
  for (const v of a) scale = Math.max(scale, Math.abs(v));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let dot = 0;
      for (let k = 0; k < n; k++) {
        s += vectors[k * n + i] * values[k] * vectors[k * n + j];
        dot += vectors[i * n + k] * vectors[j * n + k];
      }
      maxRecon = Math.max(maxRecon, Math.abs(s - a[i * n + j]));
      maxOrtho = Math.max(maxOrtho, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  expect(maxRecon).toBeLessThan(tol * Math.max(scale, 1));
  expect(maxOrtho).toBeLessThan(tol);
  for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
  return { values, vectors };
}

describe('symmetric eigen-decomposition', () => {
  it('reconstructs S = V Λ Vᵀ with orthonormal eigenvectors (random 1..60)', () => {
    for (const n of [1, 2, 3, 7, 25, 60]) checkDecomposition(randomSymmetric(n, BigInt(n)), n, 1e-10);
  });

  it('finds known eigenvalues, including repeated ones, largest first', () => {
    // Q·diag(5, 2, 2, −1)·Qᵀ for a rotation Q
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    const q = [c, -s, 0, 0, s, c, 0, 0, 0, 0, c, s, 0, 0, -s, c];
    const d = [5, 2, 2, -1];
    const a = new Float64Array(16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) a[i * 4 + j] += q[i * 4 + k] * d[k] * q[j * 4 + k];
    const { values } = checkDecomposition(a, 4, 1e-12);
    expect(Array.from(values).map((v) => Number(v.toFixed(10)))).toEqual([5, 2, 2, -1]);
  });

  it('handles a diagonal matrix and a rank-one scatter matrix', () => {
    const diag = new Float64Array(9);
    [3, -7, 1].forEach((v, i) => (diag[i * 4] = v));
    expect(Array.from(checkDecomposition(diag, 3, 1e-14).values)).toEqual([3, 1, -7]);
    const u = [1, 2, 0, -1];
    const r1 = Float64Array.from({ length: 16 }, (_, k) => u[Math.floor(k / 4)] * u[k % 4]);
    const { values, vectors } = checkDecomposition(r1, 4, 1e-12);
    expect(values[0]).toBeCloseTo(6, 10);
    expect(Math.abs(vectors[0] * u[0] + vectors[1] * u[1] + vectors[3] * u[3])).toBeCloseTo(Math.sqrt(6), 10);
  });

  it('is fast enough for n = 300 (the benchmark width)', () => {
    const t0 = performance.now();
    checkDecomposition(randomSymmetric(300, 300n), 300, 1e-9);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

describe('PCA (spec §12)', () => {
  it('scatter matrix is Σ (x − mean)(x − mean)ᵀ, not divided by N', () => {
    const rows = Float32Array.from([1, 0, 2, 0, 3, 1, 0, 0, 0.5]);
    const s = scatterMatrix(rows, 3, 3);
    const mean = [1 / 3, 1, 3.5 / 3];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let e = 0;
        for (let r = 0; r < 3; r++) e += (rows[r * 3 + i] - mean[i]) * (rows[r * 3 + j] - mean[j]);
        expect(s[i * 3 + j]).toBeCloseTo(e, 6);
      }
    }
  });

  it('P holds the top eigenvectors as rows and the projection is P·x without centring', () => {
    const d = toTrainingData(syntheticRows({ nRows: 200, nCols: 20, seed: 3n }));
    const p = pcaMatrix(d.rows, d.nRows, 20, 4);
    expect(p).toHaveLength(80);
    const { vectors } = symmetricEigen(scatterMatrix(d.rows, d.nRows, 20), 20);
    expect(Array.from(p)).toEqual(Array.from(Float32Array.from(vectors.subarray(0, 80))));
    const proj = projectRows(d.rows, d.nRows, 20, p, 4);
    for (let k = 0; k < 4; k++) {
      let e = 0;
      for (let j = 0; j < 20; j++) e += p[k * 20 + j] * d.rows[5 * 20 + j];
      expect(proj[5 * 4 + k]).toBeCloseTo(e, 5);
    }
    expect(() => pcaMatrix(d.rows, d.nRows, 20, 21)).toThrow(/max_inputs/);
  });

  it('a PCA-reduced network still learns separable data', () => {
    const all = syntheticRows({ nRows: 1000, nCols: 60, seed: 17n, leaning: 8 });
    const d = toTrainingData(all);
    const k = 15;
    const p = pcaMatrix(d.rows, d.nRows, 60, k);
    const reduced = projectRows(d.rows, d.nRows, 60, p, k);
    const out = trainNetwork({ rows: reduced, nRows: d.nRows, nCols: k, targets: d.targets }, {
      maxIterations: 40, learningRate: 0.01, hiddenLayerMult: 1.5,
    });
    expect(out.weights.nIn).toBe(k);
    expect(out.bestValidationCost).toBeLessThan(out.epochs[0].validationCost);
    let correct = 0;
    for (let r = 0; r < d.nRows; r++) {
      const y = forward(out.weights, reduced.subarray(r * k, r * k + k));
      if (Math.sign(y) === d.targets[r]) correct++;
    }
    expect(correct / d.nRows).toBeGreaterThan(0.85);
  });
});

describe('PCA tensor serialisation (spec §12)', () => {
  it('writes int32 ndims 2, count, rows, cols, then float32 row-major', () => {
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const blob = serializeTensor({ rows: 2, cols: 3, data });
    expect(blob.subarray(0, 16).toString('hex')).toBe('02000000' + '06000000' + '02000000' + '03000000');
    expect(blob.readFloatLE(16 + 4 * 5)).toBe(6);
    expect(blob).toHaveLength(16 + 24);
    const back = parseTensor(blob);
    expect(back.rows).toBe(2);
    expect(back.cols).toBe(3);
    expect(Array.from(back.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('rejects malformed tensors', () => {
    const blob = serializeTensor({ rows: 2, cols: 2, data: new Float32Array(4) });
    expect(() => parseTensor(blob.subarray(0, 20))).toThrow(PcaTensorError);
    const wrongDims = Buffer.from(blob);
    wrongDims.writeInt32LE(3, 0);
    expect(() => parseTensor(wrongDims)).toThrow(/2-D/);
    const wrongCount = Buffer.from(blob);
    wrongCount.writeInt32LE(5, 4);
    expect(() => parseTensor(wrongCount)).toThrow(/inconsistent/);
  });
});
