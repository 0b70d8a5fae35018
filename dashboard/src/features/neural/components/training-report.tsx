import type { NeuralJob } from '../../../lib/api-types';

type Report = NonNullable<NeuralJob['report']>;

const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const num = (v: number): string => v.toPrecision(4);

/**
 * What a finished training says about its model: the network, the class balance of the rows (and of kann's held-out
 * split), accuracy and ROC AUC on the held-out rows at the threshold rspamd applies, ROC thresholds, and rspamd
 * 4.1.1's quality gate.
 */
export function TrainingReport({ report, title }: { report: Report; title: string }) {
  const { balance, heldOut, gate } = report;
  return (
    <section aria-label={title} className="training-report">
      <dl className="facts">
        <dt>Network</dt>
        <dd>
          {report.network === 'funnel' ? 'Funnel (rspamd 4.x layers)' : 'Symbol network'}, hidden {report.hiddenLayers.join(' → ')}
        </dd>
        <dt>Class balance</dt>
        <dd>
          {balance.spam} spam / {balance.ham} ham; held out {balance.validationSpam} spam / {balance.validationHam} ham
        </dd>
        <dt>Held-out accuracy</dt>
        <dd>
          {pct(heldOut.accuracy)} of {heldOut.rows} rows, output above {num(heldOut.threshold)} = spam
        </dd>
        <dt>Held-out ROC AUC</dt>
        <dd>{heldOut.auc === null ? '– (needs both classes held out)' : heldOut.auc.toFixed(3)}</dd>
        <dt>ROC thresholds</dt>
        <dd>{report.rocThresholds ? `spam ${num(report.rocThresholds[0])}, ham ${num(report.rocThresholds[1])}` : 'off (rule has no roc_enabled)'}</dd>
        <dt>Quality gate</dt>
        <dd>
          <span className={`badge badge-${gate.passed ? 'ok' : 'danger'}`}>{gate.passed ? 'passed' : 'degenerate'}</span>{' '}
          outputs {num(gate.outputMin)} … {num(gate.outputMax)}, predicted {gate.predictedSpam} spam / {gate.predictedHam} ham
          {!gate.enforced && !gate.passed && ' — published anyway: FUZZYD_NEURAL_QUALITY_GATE is off'}
        </dd>
      </dl>
    </section>
  );
}
