import { describe, expect, it } from 'vitest';
import { canPushTrainVector, SampleSelectionInput } from '../../../../server/src/neural/training/sample-selection.js';

const base: SampleSelectionInput = {
  cls: 'spam',
  nSpam: 0,
  nHam: 0,
  maxTrains: 10,
  learnMode: 'balanced',
  classesBias: 0,
  spamSkipProb: 0,
  hamSkipProb: 0,
  trainProb: 1,
};

// [name, overrides, coin, push, reason pattern]
const CASES: [string, Partial<SampleSelectionInput>, number, boolean, RegExp][] = [
  ['train_prob skips a low coin', { trainProb: 0.7 }, 0.29, false, /train_prob/],
  ['train_prob keeps coin = 1 − train_prob', { trainProb: 0.75, nSpam: 1, nHam: 1 }, 0.25, true, /not ahead/],
  ['train_prob 1 never skips', { trainProb: 1 }, 0, true, /not ahead/],
  ['balanced: over the cap', { nSpam: 11, nHam: 11 }, 0.99, false, /too many spam samples: 11 > max_trains 10/],
  ['balanced: exactly at the cap is still accepted (max_trains + 1 quirk)', { nSpam: 10, nHam: 10 }, 0.5, true, /not ahead/],
  ['balanced: ahead, coin below 1 − n_o/(n_c+1)', { nSpam: 9, nHam: 4 }, 0.59, false, /skipped with probability 0.6/],
  ['balanced: ahead, coin at the threshold is kept', { nSpam: 9, nHam: 4 }, 0.6, true, /kept/],
  ['balanced: classes_bias lowers the threshold', { nSpam: 9, nHam: 4, classesBias: 0.2 }, 0.41, true, /kept/],
  ['balanced: classes_bias, coin still below', { nSpam: 9, nHam: 4, classesBias: 0.2 }, 0.39, false, /skipped/],
  ['balanced: ham side, ahead of spam', { cls: 'ham', nSpam: 0, nHam: 3 }, 0.5, false, /ham ahead/],
  ['balanced: equal counts store', { nSpam: 5, nHam: 5 }, 0, true, /not ahead/],
  ['balanced: behind stores', { nSpam: 2, nHam: 8 }, 0, true, /not ahead/],
  ['balanced: empty other class, ahead by one, any coin < 1 skips', { nSpam: 1, nHam: 0 }, 0.999, false, /skipped/],
  ['proportional: over the cap', { learnMode: 'proportional', cls: 'ham', nHam: 11 }, 0.5, false, /too many ham/],
  ['proportional: at the cap accepted', { learnMode: 'proportional', cls: 'ham', nHam: 10, nSpam: 0 }, 0.5, true, /kept/],
  ['proportional: coin ≤ skip prob skips', { learnMode: 'proportional', spamSkipProb: 0.3 }, 0.3, false, /skipped with probability 0.3/],
  ['proportional: coin above skip prob keeps', { learnMode: 'proportional', spamSkipProb: 0.3 }, 0.31, true, /kept/],
  ['proportional: uses the class’s own skip prob', { learnMode: 'proportional', cls: 'ham', spamSkipProb: 0.9, hamSkipProb: 0.1 }, 0.5, true, /kept/],
  ['proportional: default skip prob 0 still skips coin 0 (<=)', { learnMode: 'proportional' }, 0, false, /skipped/],
  ['proportional: imbalance does not matter', { learnMode: 'proportional', nSpam: 9, nHam: 0 }, 0.01, true, /kept/],
];

describe('can_push_train_vector (spec §5.4)', () => {
  it.each(CASES)('%s', (_name, overrides, coin, push, reason) => {
    const decision = canPushTrainVector({ ...base, ...overrides }, coin);
    expect(decision.push).toBe(push);
    expect(decision.reason).toMatch(reason);
  });

  it('a class fills up to max_trains + 1 members when every coin passes', () => {
    let nSpam = 0;
    for (let i = 0; i < 50; i++) {
      if (canPushTrainVector({ ...base, learnMode: 'proportional', nSpam, nHam: 0 }, 0.5).push) nSpam++;
    }
    expect(nSpam).toBe(11);
  });
});
