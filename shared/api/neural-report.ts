import Type, { type Static } from 'typebox';
import { Nullable } from './formats.js';

/**
 * The training report of a finished neural job (`NeuralJob.report`): which network was trained, the class balance,
 * the model on the held-out (validation) rows, ROC thresholds and rspamd 4.1.1's quality gate
 * (docs/spec/neural-4x.md §4.2, §4.5, §5). The per-epoch losses are `NeuralJob.history`.
 */
export const NeuralJobReport = Type.Object({
  network: Type.Union([Type.Literal('symbol'), Type.Literal('funnel')], {
    description: "`symbol`: rspamd's relu → dense → tanh network (3.4 and 4.x); `funnel`: 4.x's layers/dropout/layer norm network",
  }),
  hiddenLayers: Type.Array(Type.Integer(), { description: 'Units of each hidden layer' }),
  balance: Type.Object(
    {
      spam: Type.Integer(),
      ham: Type.Integer(),
      trainSpam: Type.Integer(),
      trainHam: Type.Integer(),
      validationSpam: Type.Integer(),
      validationHam: Type.Integer(),
    },
    { description: 'Rows per class, all and split as kann split them (the last 10 % of its shuffle are held out)' },
  ),
  heldOut: Type.Object(
    {
      rows: Type.Integer(),
      accuracy: Nullable(Type.Number({ description: 'Share of held-out rows on the right side of `threshold`' })),
      auc: Nullable(Type.Number({ description: 'ROC AUC on the held-out rows; null unless both classes are held out' })),
      threshold: Type.Number({ description: 'Output above which a row counts as spam: the ROC spam threshold with `roc_enabled`, else 0' }),
    },
    { description: 'The published weights on the held-out (validation) rows' },
  ),
  rocThresholds: Nullable(
    Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: '`[spam, ham]` as published in `roc_thresholds` (rule `roc_enabled`), computed on all rows as rspamd ≥ 4.0 does' }),
  ),
  gate: Type.Object(
    {
      enforced: Type.Boolean({ description: 'FUZZYD_NEURAL_QUALITY_GATE: a rejected model is not published' }),
      passed: Type.Boolean(),
      reason: Nullable(Type.String({ description: "rspamd 4.1.1's rejection text" })),
      outputMin: Type.Number(),
      outputMax: Type.Number(),
      predictedSpam: Type.Integer(),
      predictedHam: Type.Integer(),
    },
    { description: 'rspamd 4.1.1 quality gate on all training rows: rejects a NaN, constant (range < 1e-4) or single-class output' },
  ),
});
export type NeuralJobReport = Static<typeof NeuralJobReport>;
