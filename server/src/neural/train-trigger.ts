import type { NeuralTrainConfig } from './neural-config.js';
import type { TrainTriggerMode } from './neural-options.js';

export interface TriggerDecision {
  train: boolean;
  reason: string;
}

/**
 * The train check of rspamd's primary controller (spec/neural.md §7 step 4), pure.
 *
 * rspamd 3.4 trains as soon as min(spam, ham) > 0 and max(spam, ham) ≥ max_trains: the stricter balanced test is
 * guarded by a misspelt option (`learn_type`) and never runs. `balanced` mode applies that intended test for rules
 * whose learn_mode is balanced: both classes ≥ max_trains × (1 − classes_bias), one ≥ max_trains — which is what
 * rspamd 4.0.0+ does after fixing the typo, so 4.x sets always use it.
 */
export function shouldTrain(
  counts: { spam: number; ham: number },
  train: Pick<NeuralTrainConfig, 'max_trains' | 'learn_mode' | 'classes_bias'>,
  mode: TrainTriggerMode = 'rspamd',
): TriggerDecision {
  const { spam, ham } = counts;
  const have = `${spam} spam, ${ham} ham`;
  if (Math.min(spam, ham) <= 0) return { train: false, reason: `${have}: need vectors of both classes` };
  if (mode === 'balanced' && train.learn_mode === 'balanced') {
    const need = train.max_trains * (1 - train.classes_bias);
    // As rspamd 4.0.0+ (neural-4x.md §2.2): a class at max_trains, and every class at max_trains × (1 − bias).
    if (Math.max(spam, ham) >= train.max_trains && spam >= need && ham >= need) {
      return { train: true, reason: `${have}: both classes reached ${need}` };
    }
    return { train: false, reason: `${have}: balanced trigger needs ${need} of each class` };
  }
  if (Math.max(spam, ham) >= train.max_trains) {
    return { train: true, reason: `${have}: a class reached max_trains ${train.max_trains}` };
  }
  return { train: false, reason: `${have}: no class reached max_trains ${train.max_trains}` };
}
