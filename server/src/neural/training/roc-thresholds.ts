/**
 * rspamd 4.x's ROC thresholds (NL `get_roc_thresholds`, neural-4x.md §4.5; the 4.0.0 fix labels a row spam when its
 * target is ≥ 0, ham when < 0). Over the rows sorted by output: FPR(i) = ham above i / all ham, FNR(i) = spam at or
 * below i / all spam, cost(i) = (1−p)·α·FPR + p·β·FNR with p the spam share; the threshold is the output at the
 * last minimal cost. rspamd's table.sort is not stable, so among equal outputs its order (and with it a tie in
 * cost) may differ; ours is a stable sort.
 */

/** The output at the cut of least misclassification cost; α prices a false positive, β a false negative. */
export function rocThreshold(outputs: ArrayLike<number>, targets: ArrayLike<number>, alpha: number, beta: number): number {
  const n = outputs.length;
  if (n === 0) return 0;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => outputs[a] - outputs[b]);
  let nSpam = 0;
  for (let i = 0; i < n; i++) if (targets[i] >= 0) nSpam++;
  const nHam = n - nSpam;
  const p = nSpam / n;
  let hamBehind = 0;
  let spamBehind = 0;
  let minCost = Infinity;
  let best = 0;
  for (let i = 0; i < n; i++) {
    if (targets[order[i]] < 0) hamBehind++;
    else spamBehind++;
    const hamAhead = nHam - hamBehind;
    const fpr = nHam > 0 ? hamAhead / nHam : 0;
    const fnr = nSpam > 0 ? spamBehind / nSpam : 0;
    const cost = (1 - p) * alpha * fpr + p * beta * fnr;
    if (minCost >= cost) {
      minCost = cost;
      best = i;
    }
  }
  return outputs[order[best]];
}

/** `[spam, ham]` as rspamd's child computes them: spam with (1 − c, c), ham with (c, 1 − c), c = roc_misclassification_cost. */
export function rocThresholds(outputs: ArrayLike<number>, targets: ArrayLike<number>, cost: number): [number, number] {
  return [rocThreshold(outputs, targets, 1 - cost, cost), rocThreshold(outputs, targets, cost, 1 - cost)];
}

/** The `roc_thresholds` hash field: UCL's compact JSON of the Lua array (`%.1f` for integers, else `%f`). */
export function serializeRocThresholds(thresholds: readonly number[] | null): string {
  return `[${(thresholds ?? []).map(uclDouble).join(',')}]`;
}

/** libucl `ucl_utstring_append_double`. */
function uclDouble(x: number): string {
  const int = Math.trunc(x);
  if (x === int) return x.toFixed(1);
  if (Math.abs(x - int) < 0.0000001) return String(Number(x.toPrecision(15)));
  return x.toFixed(6);
}
