/**
 * PCA input reduction for `max_inputs` (spec §12): S = Σ (x − mean)(x − mean)ᵀ over all training rows (not
 * divided by N), P = eigenvectors of the `maxInputs` largest eigenvalues as rows (largest first), network input
 * = P·x with no centring. Debian's rspamd 3.4 lacks BLAS and so never does this; builds with BLAS do.
 * Eigenvector signs are arbitrary (LAPACK's are too), which is harmless: the network is trained on P·x.
 * rspamd's known defect (projection accumulated into uninitialised memory) is deliberately not reproduced.
 */
import { TrainingInputError } from './errors.js';
import { symmetricEigen } from './eigen.js';

/**
 * Scatter matrix (n × n row-major, float64). Computed as Σ x·xᵀ − N·mean·meanᵀ so that the sum runs over each
 * row's non-zero pairs only — O(N·nnz²) instead of O(N·n²) for rspamd's mostly-zero rows.
 */
export function scatterMatrix(rows: Float32Array, nRows: number, nCols: number): Float64Array {
  const s = new Float64Array(nCols * nCols);
  const mean = new Float64Array(nCols);
  const idx = new Int32Array(nCols);
  const val = new Float64Array(nCols);
  for (let r = 0; r < nRows; r++) {
    const base = r * nCols;
    let nnz = 0;
    for (let j = 0; j < nCols; j++) {
      const x = rows[base + j];
      if (x !== 0) {
        idx[nnz] = j;
        val[nnz++] = x;
        mean[j] += x;
      }
    }
    for (let p = 0; p < nnz; p++) {
      const row = idx[p] * nCols;
      const vp = val[p];
      for (let q = 0; q < nnz; q++) s[row + idx[q]] += vp * val[q];
    }
  }
  for (let j = 0; j < nCols; j++) mean[j] /= nRows;
  for (let i = 0; i < nCols; i++) {
    for (let j = 0; j < nCols; j++) s[i * nCols + j] -= nRows * mean[i] * mean[j];
  }
  return s;
}

/** The PCA matrix P: maxInputs × nCols, row-major float32, rows = top eigenvectors of the scatter matrix. */
export function pcaMatrix(rows: Float32Array, nRows: number, nCols: number, maxInputs: number): Float32Array {
  if (!Number.isInteger(maxInputs) || maxInputs < 1 || maxInputs > nCols) {
    throw new TrainingInputError(`max_inputs must be an integer in 1..${nCols}, got ${maxInputs}`);
  }
  const { vectors } = symmetricEigen(scatterMatrix(rows, nRows, nCols), nCols);
  return Float32Array.from(vectors.subarray(0, maxInputs * nCols));
}

/** P·x for every row: nRows × k output, float32 like the tensor rspamd multiplies with. */
export function projectRows(rows: Float32Array, nRows: number, nCols: number, pca: Float32Array, k: number): Float32Array {
  if (pca.length !== k * nCols) throw new RangeError(`PCA matrix has ${pca.length} entries, expected ${k}×${nCols}`);
  const out = new Float32Array(nRows * k);
  const idx = new Int32Array(nCols);
  const val = new Float64Array(nCols);
  for (let r = 0; r < nRows; r++) {
    let nnz = 0;
    for (let j = 0; j < nCols; j++) {
      const x = rows[r * nCols + j];
      if (x !== 0) {
        idx[nnz] = j;
        val[nnz++] = x;
      }
    }
    for (let i = 0; i < k; i++) {
      let s = 0;
      const base = i * nCols;
      for (let p = 0; p < nnz; p++) s += pca[base + idx[p]] * val[p];
      out[r * k + i] = s;
    }
  }
  return out;
}
