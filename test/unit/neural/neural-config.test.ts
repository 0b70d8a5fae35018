import { describe, expect, it } from 'vitest';
import { NeuralConfigError, parseNeuralConfig } from '../../../server/src/neural/neural-config.js';

describe('neural config (spec/neural.md §2)', () => {
  it('without any config is one rule `default` with the 3.4 defaults', () => {
    const c = parseNeuralConfig();
    expect(c.prefix).toBe('rn');
    expect(c.max_profiles).toBe(3);
    expect(Object.keys(c.rules)).toEqual(['default']);
    expect(c.rules.default).toEqual({
      name: 'default',
      prefix: 'default',
      settings: ['default'],
      symbols: {},
      train: {
        max_trains: 1000,
        max_iterations: 25,
        learning_rate: 0.01,
        learn_mode: 'balanced',
        classes_bias: 0,
        spam_skip_prob: 0,
        ham_skip_prob: 0,
        train_prob: 1,
      },
      ann_expire: 172800,
      hidden_layer_mult: 1.5,
      watch_interval: 60,
      roc_enabled: false,
      roc_misclassification_cost: 0.5,
    });
  });

  it('reads rspamd 4.x\'s funnel network and ROC options (neural-4x.md §4.2, §4.5)', () => {
    const c = parseNeuralConfig({
      rules: { F: { layers: [0.5, 0.25], dropout: 0.1, use_layernorm: false, activation: 'relu', roc_enabled: true, roc_misclassification_cost: 0.3 } },
    });
    expect(c.rules.F).toMatchObject({ layers: [0.5, 0.25], dropout: 0.1, use_layernorm: false, activation: 'relu', roc_enabled: true, roc_misclassification_cost: 0.3 });
    expect(parseNeuralConfig({}).rules.default.layers).toBeUndefined();
  });

  it('merges defaults per rule and keeps each rule’s own values', () => {
    const c = parseNeuralConfig({
      prefix: 'nn',
      max_profiles: 5,
      rules: {
        SHORT: { train: { max_trains: 10, learning_rate: 0.001 }, watch_interval: 0.5, ann_expire: '1d' },
        LONG: { prefix: 'L', settings: ['default', 'outbound'], max_inputs: 20 },
      },
    });
    expect(c.prefix).toBe('nn');
    expect(c.max_profiles).toBe(5);
    expect(c.rules.SHORT.prefix).toBe('SHORT');
    expect(c.rules.SHORT.train).toMatchObject({ max_trains: 10, learning_rate: 0.001, max_iterations: 25 });
    expect(c.rules.SHORT.watch_interval).toBe(0.5);
    expect(c.rules.SHORT.ann_expire).toBe(86400);
    expect(c.rules.LONG).toMatchObject({ prefix: 'L', settings: ['default', 'outbound'], max_inputs: 20 });
    expect(c.rules.LONG.train.max_trains).toBe(1000);
  });

  it('accepts rspamd’s `max_train` alias and its `profile` option, sorting static symbols bytewise', () => {
    const c = parseNeuralConfig({
      rules: { r: { train: { max_train: 50 }, profile: { default: ['b', 'A', 'a', 'B'], other: { X: true, C: true } } } },
    });
    expect(c.rules.r.train.max_trains).toBe(50);
    expect(c.rules.r.symbols).toEqual({ default: ['A', 'B', 'a', 'b'], other: ['C', 'X'] });
    expect(c.rules.r.settings).toEqual(['default', 'other']);
  });

  it('treats a config without `rules` as the rule `default`, whose prefix is also the module prefix (rspamd legacy)', () => {
    const c = parseNeuralConfig({ train: { max_trains: 7 }, watch_interval: 5 });
    expect(c.rules.default.train.max_trains).toBe(7);
    expect(c.rules.default.watch_interval).toBe(5);
    expect(c.rules.default.prefix).toBe('default');
    const p = parseNeuralConfig({ prefix: 'zz' });
    expect(p.prefix).toBe('zz');
    expect(p.rules.default.prefix).toBe('zz');
  });

  it('ignores rspamd options that do not matter here instead of failing on a pasted config', () => {
    const c = parseNeuralConfig({
      allow_local: true,
      rules: { r: { symbol_spam: 'NEURAL_SPAM_R', lock_expire: 600, train: { autotrain: true, max_usages: 20 } } },
    });
    expect(c.rules.r.name).toBe('r');
  });

  it.each([
    [{ max_profiles: 0 }, 'max_profiles'],
    [{ prefix: '' }, 'prefix'],
    [{ rules: {} }, 'rules'],
    [{ rules: { r: { train: { max_trains: 'many' } } } }, 'rules.r.train.max_trains'],
    [{ rules: { r: { train: { max_train: 1.5 } } } }, 'rules.r.train.max_train'],
    [{ rules: { r: { train: { train_prob: 1.5 } } } }, 'rules.r.train.train_prob'],
    [{ rules: { r: { train: { learn_mode: 'random' } } } }, 'rules.r.train.learn_mode'],
    [{ rules: { r: { train: { learning_rat: 0.1 } } } }, 'rules.r.train.learning_rat'],
    [{ rules: { r: { ann_expire: '1.5s' } } }, 'rules.r.ann_expire'],
    [{ rules: { r: { watch_interval: 'soon' } } }, 'rules.r.watch_interval'],
    [{ rules: { r: { settings: [] } } }, 'rules.r.settings'],
    [{ rules: { r: { settings: ['default', 3] } } }, 'rules.r.settings[1]'],
    [{ rules: { r: { symbols: { outbound: ['A'] }, settings: ['default'] } } }, 'rules.r.symbols.outbound'],
    [{ rules: { r: { symbols: { default: [] } } } }, 'rules.r.symbols.default'],
    [{ rules: { r: { hiden_layer_mult: 2 } } }, 'rules.r.hiden_layer_mult'],
    [{ rules: { a: {}, b: { prefix: 'a' } } }, 'rules.b.prefix'],
    [{ rules: { r: { layers: [] } } }, 'rules.r.layers'],
    [{ rules: { r: { layers: [0.5, -1] } } }, 'rules.r.layers[1]'],
    [{ rules: { r: { dropout: 1 } } }, 'rules.r.dropout'],
    [{ rules: { r: { use_layernorm: 'yes' } } }, 'rules.r.use_layernorm'],
    [{ rules: { r: { activation: 'swish' } } }, 'rules.r.activation'],
    [{ rules: { r: { roc_enabled: 1 } } }, 'rules.r.roc_enabled'],
    [{ rules: { r: { roc_misclassification_cost: 2 } } }, 'rules.r.roc_misclassification_cost'],
  ])('names the bad field in %j', (input, field) => {
    let error: unknown;
    try {
      parseNeuralConfig(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NeuralConfigError);
    expect((error as NeuralConfigError).field).toBe(field);
    expect((error as Error).message).toContain(field);
  });
});
