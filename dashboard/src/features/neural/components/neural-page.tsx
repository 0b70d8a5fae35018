import { useState } from 'react';
import { PageHeader } from '../../../components/ui/page-header';
import { QueryStatus } from '../../../components/ui/query-status';
import { ApiError } from '../../../lib/api-client';
import { useNow } from '../../../lib/use-now';
import { useQuery } from '../../../lib/use-query';
import { fetchNeuralSets, setId } from '../api/neural-api';
import { NeuralSetCard } from './neural-set-card';

export const NEURAL_REFRESH_MS = 5000;

export function NeuralPage() {
  const sets = useQuery('neural-sets', (signal) => fetchNeuralSets(signal), { intervalMs: NEURAL_REFRESH_MS });
  const [jobs, setJobs] = useState<Record<string, string | null>>({});
  const now = useNow(1000);
  const elapsed = sets.updatedAt ? Math.max(0, Math.floor((now - sets.updatedAt) / 1000)) : 0;
  const unavailable = sets.error instanceof ApiError && sets.error.status === 503;

  return (
    <>
      <PageHeader title="Neural" description="rspamd's neural plugin data in Redis: ANN versions per rule and settings, training vectors, locks, and training on demand." />
      {unavailable && (
        <div className="alert alert-warn" role="alert">
          <p>
            <strong>Redis is not reachable.</strong> {sets.error!.message}
          </p>
          <p className="small">The fuzzy storage is not affected. This page retries every {NEURAL_REFRESH_MS / 1000} s.</p>
        </div>
      )}
      <QueryStatus query={sets} context="Could not load the neural rules" loadingLabel="Reading Redis…" showError={!unavailable} />
      {sets.data && !unavailable && sets.data.length === 0 && <p className="empty">No neural rule is configured and none was found in Redis.</p>}
      {sets.data && !unavailable && (
        <div className="stack">
          {sets.data.map((set) => {
            const id = `${setId(set)}@${set.generation}`;
            return (
              <NeuralSetCard
                key={id}
                set={set}
                elapsed={elapsed}
                jobId={jobs[id] ?? null}
                onJob={(jobId) => setJobs((j) => ({ ...j, [id]: jobId }))}
                onChanged={sets.refetch}
              />
            );
          })}
        </div>
      )}
    </>
  );
}
