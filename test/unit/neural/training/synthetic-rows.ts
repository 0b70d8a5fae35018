/**
 * Deterministic rspamd-like training rows: mostly zeros, non-zero values either 1 or in [0.1, 1] (spec §5.1),
 * labelled by a hidden linear rule so the classes are separable. A few columns lean spam, a few lean ham; the
 * label is the sign of (sum of spam-leaning values − sum of ham-leaning values), ties broken by adding one
 * leaning column of the intended class. Shared by the unit tests and test/bench/neural-train.bench.ts.
 */
import { KannRandom } from '../../../../server/src/neural/training/rng.js';

export interface SyntheticOptions {
  nRows: number;
  nCols: number;
  /** Share of non-zero values in ordinary columns (leaning columns are denser in their class). */
  density?: number;
  /** Number of spam-leaning and of ham-leaning columns. */
  leaning?: number;
  seed?: bigint;
}

export interface SyntheticRows {
  spam: number[][];
  ham: number[][];
  spamColumns: number[];
  hamColumns: number[];
}

export function syntheticRows(opts: SyntheticOptions): SyntheticRows {
  const { nRows, nCols } = opts;
  const density = opts.density ?? 0.09;
  const leaning = opts.leaning ?? Math.max(1, Math.floor(nCols / 10));
  const rng = new KannRandom([opts.seed ?? 0x5eedn, 0x9e3779b97f4a7c15n]);
  const cols = rng.shuffle(nCols);
  const spamColumns = Array.from(cols.subarray(0, leaning));
  const hamColumns = Array.from(cols.subarray(leaning, 2 * leaning));
  const lean = new Int8Array(nCols);
  for (const c of spamColumns) lean[c] = 1;
  for (const c of hamColumns) lean[c] = -1;

  const spam: number[][] = [];
  const ham: number[][] = [];
  const value = () => (rng.uniform() < 0.5 ? 1 : 0.1 + 0.9 * rng.uniform());
  for (let r = 0; r < nRows; r++) {
    const wantSpam = rng.uniform() < 0.5;
    const row = new Array<number>(nCols).fill(0);
    let score = 0;
    for (let j = 0; j < nCols; j++) {
      let p = density;
      if (lean[j] !== 0) p = (lean[j] === 1) === wantSpam ? 0.3 : 0.03;
      if (rng.uniform() < p) {
        row[j] = value();
        score += lean[j] * row[j];
      }
    }
    if (score === 0) {
      const pool = wantSpam ? spamColumns : hamColumns;
      const j = pool[Math.floor(rng.uniform() * pool.length)];
      row[j] = 1;
      score = wantSpam ? 1 : -1;
    }
    (score > 0 ? spam : ham).push(row);
  }
  return { spam, ham, spamColumns, hamColumns };
}

/** Flattens spam-then-ham rows into the trainer's dense layout with ±1 targets. */
export function toTrainingData(s: { spam: number[][]; ham: number[][] }) {
  const all = [...s.spam, ...s.ham];
  const nCols = all[0].length;
  const rows = new Float32Array(all.length * nCols);
  all.forEach((row, r) => rows.set(row, r * nCols));
  const targets = all.map((_, r) => (r < s.spam.length ? 1 : -1));
  return { rows, nRows: all.length, nCols, targets, all };
}
