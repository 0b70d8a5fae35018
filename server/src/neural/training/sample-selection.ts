/**
 * Whether a scanned message's vector may be stored (rspamd's `can_push_train_vector`, spec §5.4). One uniform
 * `coin` in [0, 1) drives every random test, as in rspamd, so callers can reproduce a decision exactly.
 */

export type TrainClass = 'spam' | 'ham';

export interface SampleSelectionInput {
  cls: TrainClass;
  nSpam: number;
  nHam: number;
  /** `train.max_trains` (default 1000). */
  maxTrains: number;
  /** `train.learn_mode`; rspamd treats anything but "balanced" as proportional. */
  learnMode: 'balanced' | 'proportional';
  /** `train.classes_bias` (default 0). */
  classesBias: number;
  /** `train.spam_skip_prob` / `train.ham_skip_prob` (default 0). */
  spamSkipProb: number;
  hamSkipProb: number;
  /** `train.train_prob` (default 1). */
  trainProb: number;
}

export interface SampleSelectionDecision {
  push: boolean;
  reason: string;
}

export function canPushTrainVector(input: SampleSelectionInput, coin: number): SampleSelectionDecision {
  const { cls, maxTrains, learnMode, classesBias } = input;
  const nOwn = cls === 'spam' ? input.nSpam : input.nHam;
  const nOther = cls === 'spam' ? input.nHam : input.nSpam;

  if (coin < 1 - input.trainProb) {
    return { push: false, reason: `sampled out by train_prob ${input.trainProb} (coin ${coin})` };
  }
  // The cap test is `n > max_trains`, so a class is still accepted at exactly max_trains and ends with
  // max_trains + 1 members (spec §5.4, verified live: 11 with max_trains 10).
  if (nOwn > maxTrains) {
    return { push: false, reason: `too many ${cls} samples: ${nOwn} > max_trains ${maxTrains}` };
  }
  if (learnMode === 'balanced') {
    if (nOwn > nOther) {
      const skipBelow = 1 - nOther / (nOwn + 1) - classesBias;
      if (coin < skipBelow) {
        return { push: false, reason: `balanced: ${cls} ahead (${nOwn} vs ${nOther}), skipped with probability ${skipBelow}` };
      }
      return { push: true, reason: `balanced: ${cls} ahead (${nOwn} vs ${nOther}) but kept (coin ${coin} ≥ ${skipBelow})` };
    }
    return { push: true, reason: `balanced: ${cls} not ahead (${nOwn} vs ${nOther})` };
  }
  const skipProb = cls === 'spam' ? input.spamSkipProb : input.hamSkipProb;
  // `<=`, not `<`: with the default skip probability 0 a coin of exactly 0 still skips (rspamd's comparison)
  if (coin <= skipProb) {
    return { push: false, reason: `proportional: ${cls} skipped with probability ${skipProb} (coin ${coin})` };
  }
  return { push: true, reason: `proportional: ${cls} kept (coin ${coin} > ${skipProb})` };
}
