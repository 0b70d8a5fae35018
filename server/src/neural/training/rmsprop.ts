/**
 * RMSprop as kann applies it after every mini-batch (spec §9.4 item 2):
 *   r ← 0.9·r + 0.1·g²;  θ ← θ − lr·g / sqrt(r + 1e-6)
 * Constants are kann's float32 values (0.9f, 1 − 0.9f, 1e-6f); state is float32 like kann's.
 *
 * Laziness (the trick that makes sparse training cheap): a parameter whose gradient is exactly 0 in a step is not
 * moved (θ −= lr·0/… = θ) and its running square only decays, r ← 0.9·r. So a W1 column that no row of a batch
 * touches needs no work in that step; we remember the last step that brought the column's r up to date and apply
 * 0.9^k for the k skipped steps when the column is next touched (`LazyDecay`). Same result as the dense update up
 * to float rounding (one multiplication by 0.9^k instead of k roundings), verified against a dense reference in
 * test/unit/neural/training/trainer-dense-equivalence.test.ts.
 */

export const RMSPROP_DECAY = Math.fround(0.9);
export const RMSPROP_ONE_MINUS_DECAY = Math.fround(1 - RMSPROP_DECAY);
export const RMSPROP_EPSILON = Math.fround(1e-6);

/** One dense RMSprop step over a whole parameter vector. */
export function rmspropStep(
  theta: Float32Array,
  r: Float32Array,
  grad: ArrayLike<number>,
  lr: number,
): void {
  for (let i = 0; i < theta.length; i++) {
    const g = grad[i];
    const ri = Math.fround(RMSPROP_ONE_MINUS_DECAY * g * g + RMSPROP_DECAY * r[i]);
    r[i] = ri;
    theta[i] = theta[i] - (lr * g) / Math.sqrt(ri + RMSPROP_EPSILON);
  }
}

/** Per-column bookkeeping of the decay steps a column has not received yet. */
export class LazyDecay {
  /** lastStep[j] = last step whose decay is already folded into column j's running squares (0 = none yet). */
  readonly lastStep: Int32Array;

  constructor(nColumns: number) {
    this.lastStep = new Int32Array(nColumns);
  }

  /**
   * The factor 0.9^(step − lastStep[j]) that brings column j's running squares from its last touched step to
   * `step` (this step's own decay included), and records the column as current at `step`.
   */
  carry(column: number, step: number): number {
    const k = step - this.lastStep[column];
    this.lastStep[column] = step;
    return k === 1 ? RMSPROP_DECAY : Math.pow(RMSPROP_DECAY, k);
  }
}

/**
 * RMSprop step of one W1 column (stored contiguously, `hidden` long at `base`) whose gradient is the rank-one
 * column w2[i]·c (see trainer notes in sparse-model.ts). Before each weight moves, its old value times c is added
 * to `gradW2`, because the w2 gradient needs the pre-update W1 — fusing both saves a second pass over the column.
 * `carry` comes from LazyDecay.carry and already contains this step's 0.9.
 */
export function rmspropRankOneColumn(
  w1t: Float32Array,
  r: Float32Array,
  base: number,
  hidden: number,
  c: number,
  w2: Float32Array,
  gradW2: Float64Array,
  lr: number,
  carry: number,
): void {
  const scale = RMSPROP_ONE_MINUS_DECAY * c * c;
  for (let i = 0; i < hidden; i++) {
    const idx = base + i;
    const w = w1t[idx];
    const w2i = w2[i];
    gradW2[i] += w * c;
    const ri = Math.fround(scale * w2i * w2i + carry * r[idx]);
    r[idx] = ri;
    w1t[idx] = w - (lr * c * w2i) / Math.sqrt(ri + RMSPROP_EPSILON);
  }
}
