import type { NeuralJob } from '../../../lib/api-types';
import { useQuery } from '../../../lib/use-query';
import { fetchJob } from '../api/neural-api';

export const JOB_POLL_MS = 750;

export function isFinished(job: NeuralJob | undefined): boolean {
  return job?.state === 'succeeded' || job?.state === 'failed';
}

/** Follows one training job, polling until it has succeeded or failed. */
export function useTrainingJob(jobId: string | null) {
  const query = useQuery(`job|${jobId ?? ''}`, (signal) => fetchJob(jobId!, signal), {
    enabled: jobId !== null,
    intervalMs: JOB_POLL_MS,
    stopWhen: isFinished,
  });
  return { ...query, finished: isFinished(query.data) };
}
