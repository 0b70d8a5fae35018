/**
 * Training rows in compressed-sparse-row form, already passed through the input ReLU (spec §9.1).
 * rspamd's inputs are mostly zero (symbols that did not fire, spec §5.1), and the network only ever sees relu(x),
 * so the positive entries are all the trainer needs.
 */

export interface SparseRows {
  nRows: number;
  nCols: number;
  /** Row r's entries are at [rowStart[r], rowStart[r + 1]). */
  rowStart: Int32Array;
  colIndex: Int32Array;
  /** relu(x) at those columns: always > 0, stored float32 like kann's input buffer. */
  values: Float32Array;
}

/**
 * Builds the CSR of relu(rows) from a dense row-major matrix, taking the rows in `order` (order[k] = source row of
 * CSR row k) so the caller can apply kann's initial permutation once instead of indirecting on every pass.
 */
export function buildSparseRows(dense: Float32Array, nCols: number, order: ArrayLike<number>): SparseRows {
  const nRows = order.length;
  let nnz = 0;
  for (let k = 0; k < nRows; k++) {
    const base = order[k] * nCols;
    for (let j = 0; j < nCols; j++) if (dense[base + j] > 0) nnz++;
  }
  const rowStart = new Int32Array(nRows + 1);
  const colIndex = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let p = 0;
  for (let k = 0; k < nRows; k++) {
    rowStart[k] = p;
    const base = order[k] * nCols;
    for (let j = 0; j < nCols; j++) {
      const v = dense[base + j];
      if (v > 0) {
        colIndex[p] = j;
        values[p] = v;
        p++;
      }
    }
  }
  rowStart[nRows] = p;
  return { nRows, nCols, rowStart, colIndex, values };
}
