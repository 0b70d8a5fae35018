import { describe, expect, it } from 'vitest';
import { shouldTrain } from '../../../server/src/neural/train-trigger.js';

const balanced = { max_trains: 10, learn_mode: 'balanced' as const, classes_bias: 0 };

describe('automatic train trigger (spec/neural.md §7 step 4)', () => {
  it.each([
    // spam, ham, rspamd 3.4's lenient test, the intended balanced test
    [0, 0, false, false],
    [10, 0, false, false], // one class empty: never
    [0, 25, false, false],
    [9, 9, false, false], // nobody reached max_trains
    [10, 1, true, false], // 3.4: one class at max_trains and the other not empty
    [1, 11, true, false],
    [10, 10, true, true],
    [12, 10, true, true],
  ])('spam %i, ham %i → rspamd %s, balanced %s', (spam, ham, rspamd, strict) => {
    expect(shouldTrain({ spam, ham }, balanced, 'rspamd').train).toBe(rspamd);
    expect(shouldTrain({ spam, ham }, balanced, 'balanced').train).toBe(strict);
  });

  it('balanced mode honours classes_bias and falls back to the rspamd test for proportional rules', () => {
    expect(shouldTrain({ spam: 10, ham: 8 }, { ...balanced, classes_bias: 0.2 }, 'balanced').train).toBe(true);
    expect(shouldTrain({ spam: 10, ham: 7 }, { ...balanced, classes_bias: 0.2 }, 'balanced').train).toBe(false);
    // rspamd 4.x (neural-4x.md §2.2): a class must also reach max_trains itself.
    expect(shouldTrain({ spam: 9, ham: 9 }, { ...balanced, classes_bias: 0.2 }, 'balanced').train).toBe(false);
    expect(shouldTrain({ spam: 10, ham: 1 }, { ...balanced, learn_mode: 'proportional' }, 'balanced').train).toBe(true);
  });

  it('says why', () => {
    expect(shouldTrain({ spam: 3, ham: 0 }, balanced).reason).toBe('3 spam, 0 ham: need vectors of both classes');
    expect(shouldTrain({ spam: 10, ham: 2 }, balanced).reason).toBe('10 spam, 2 ham: a class reached max_trains 10');
  });
});
