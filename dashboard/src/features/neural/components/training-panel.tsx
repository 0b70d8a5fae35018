import { useEffect, useRef } from 'react';
import { Button } from '../../../components/ui/button';
import { ErrorMessage } from '../../../components/ui/error-message';
import { ProgressBar } from '../../../components/ui/progress-bar';
import type { NeuralJob } from '../../../lib/api-types';
import { useTrainingJob } from '../hooks/use-training-job';
import { CostChart } from './cost-chart';
import { TrainingReport } from './training-report';

const STATE_TEXT: Record<NeuralJob['state'], string> = {
  queued: 'Queued',
  running: 'Training',
  succeeded: 'Finished',
  failed: 'Failed',
};

/** Progress of one training: epochs, the cost curves, and what it published. */
export function TrainingPanel({ jobId, onFinished, onDismiss }: { jobId: string; onFinished: (job: NeuralJob) => void; onDismiss: () => void }) {
  const job = useTrainingJob(jobId);
  const data = job.data;
  useNotifyOnce(data, onFinished);
  return (
    <div className="training" aria-live="polite">
      <div className="training-head">
        <h4>
          Training job <code>{jobId}</code>
          {data && <span className={`badge badge-${data.state === 'failed' ? 'danger' : data.state === 'succeeded' ? 'ok' : 'info'}`}>{STATE_TEXT[data.state]}</span>}
        </h4>
        {job.finished && (
          <Button size="small" variant="ghost" onClick={onDismiss}>
            Dismiss
          </Button>
        )}
      </div>
      {job.error && <ErrorMessage error={job.error} context="Could not follow the job" onRetry={job.refetch} />}
      {data && (
        <>
          <ProgressBar
            label={`Epochs of job ${jobId}`}
            value={data.state === 'queued' ? null : data.epoch}
            max={Math.max(1, data.maxEpochs)}
            text={`Epoch ${data.epoch} of ${data.maxEpochs}${data.validationCost !== null ? ` · validation cost ${data.validationCost.toPrecision(4)}` : ''}`}
          />
          {data.history.length > 0 && <CostChart history={data.history} maxEpochs={data.maxEpochs} />}
          {data.state === 'succeeded' && (
            <p className="alert alert-success" role="status">
              Published version {data.publishedVersion}
              {data.newKey && (
                <>
                  {' '}
                  as <code>{data.newKey}</code>
                </>
              )}
              {data.vectors && ` from ${data.vectors.spam} spam and ${data.vectors.ham} ham vectors`}
              {data.bestValidationCost !== null && ` (best validation cost ${data.bestValidationCost.toPrecision(4)}`}
              {data.bestValidationCost !== null && data.bestEpoch !== null && `, weights of epoch ${data.bestEpoch}`}
              {data.bestValidationCost !== null && `)`}
              {data.stoppedEarly && `; stopped early after epoch ${data.epoch} of ${data.maxEpochs}, the validation cost no longer improving`}.
            </p>
          )}
          {data.state === 'failed' && <ErrorMessage error={new Error(data.error ?? 'the training failed')} context="Training failed" />}
          {data.report && <TrainingReport report={data.report} title={`Training report of job ${jobId}`} />}
        </>
      )}
    </div>
  );
}

/** Calls `onFinished` once when the job reaches a final state. */
function useNotifyOnce(job: NeuralJob | undefined, onFinished: (job: NeuralJob) => void): void {
  const done = useRef(false);
  const callback = useRef(onFinished);
  callback.current = onFinished;
  useEffect(() => {
    if (!done.current && job && (job.state === 'succeeded' || job.state === 'failed')) {
      done.current = true;
      callback.current(job);
    }
  }, [job]);
}
