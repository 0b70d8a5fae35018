/**
 * rspamd 4.1.1's quality gate (NL:1242-1286, neural-4x.md §5): after training, the model is applied to every
 * training row; a NaN output, an output range below 1e-4, or — when both classes are present — every output on
 * one side of 0 (> 0 counts as spam) rejects the model. rspamd then publishes nothing, releases the lock and keeps
 * the vector sets, so the next cycle retries with a fresh initialisation.
 */
import { formatLuaNumber } from './lua-number-format.js';

export interface GateResult {
  passed: boolean;
  /** rspamd's rejection text, null when passed. */
  reason: string | null;
  outputMin: number;
  outputMax: number;
  predictedSpam: number;
  predictedHam: number;
}

const MIN_OUTPUT_RANGE = 1e-4;

/** `outputs`: the network on every training row; `nSpam`/`nHam`: the classes the rows came from. */
export function qualityGate(outputs: ArrayLike<number>, nSpam: number, nHam: number): GateResult {
  let min = Infinity;
  let max = -Infinity;
  let spam = 0;
  let ham = 0;
  for (let i = 0; i < outputs.length; i++) {
    const o = outputs[i];
    if (Number.isNaN(o)) {
      // rspamd stops at the first NaN and reports the range as 0..0
      min = 0;
      max = 0;
      break;
    }
    if (o < min) min = o;
    if (o > max) max = o;
    if (o > 0) spam++;
    else ham++;
  }
  const singleClass = nSpam > 0 && nHam > 0 && (spam === 0 || ham === 0);
  const passed = !(max - min < MIN_OUTPUT_RANGE) && !singleClass;
  return {
    passed,
    reason: passed
      ? null
      : 'degenerate model: constant or single-class output on the train set ' +
        `(output range ${formatLuaNumber(min)}..${formatLuaNumber(max)}; predicted spam=${spam} ham=${ham} of ` +
        `${outputs.length} samples); consider lowering train.learning_rate if this repeats`,
    outputMin: min,
    outputMax: max,
    predictedSpam: spam,
    predictedHam: ham,
  };
}
