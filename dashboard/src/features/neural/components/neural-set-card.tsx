import { useState } from 'react';
import { Badge } from '../../../components/ui/badge';
import { Button } from '../../../components/ui/button';
import { Card } from '../../../components/ui/card';
import { ConfirmDialog } from '../../../components/ui/confirm-dialog';
import { ErrorMessage } from '../../../components/ui/error-message';
import { ProgressBar } from '../../../components/ui/progress-bar';
import type { NeuralJob, NeuralSetItem } from '../../../lib/api-types';
import { formatInt } from '../../../lib/format';
import { useAction } from '../../../lib/use-query';
import { breakLock, setId, startTraining } from '../api/neural-api';
import { describeLock } from '../lib/lock-text';
import { ProfilesTable } from './profiles-table';
import { TrainingPanel } from './training-panel';

export interface NeuralSetCardProps {
  set: NeuralSetItem;
  /** Seconds since `set` was fetched, for the lock countdown. */
  elapsed: number;
  /** The job this page started or followed for the set. */
  jobId: string | null;
  onJob: (jobId: string | null) => void;
  onChanged: () => void;
}

const GENERATION_TITLES = {
  '3.4': 'Profiles in rn2_<rule>_1_<settings>, as rspamd 3.4 to 3.12 keep them (26 metatokens per row)',
  '4.x': 'Profiles in rn3_<rule>_3_<settings>, as rspamd 3.13 to 4.1.5 keep them (46 metatokens per row)',
} as const;

const NOT_SELECTED_TITLE =
  'FUZZYD_NEURAL_LAYOUT selects the other generation for this rule and settings: this data is only shown, and trained only on demand';

/** One rule × settings: versions, training vectors against max_trains, the lock, and the actions on them. */
export function NeuralSetCard({ set, elapsed, jobId, onJob, onChanged }: NeuralSetCardProps) {
  const name = setId(set);
  const current = set.profiles.find((p) => p.current) ?? null;
  const lock = describeLock(set.lock, elapsed);
  const [confirmUnlock, setConfirmUnlock] = useState(false);
  const train = useAction(() => startTraining(set.rule, set.settings, set.generation));
  const unlock = useAction(() => breakLock(set.rule, set.settings, set.generation));
  const shownJob = jobId ?? set.activeJobId;
  const busy = set.activeJobId !== null || train.pending;
  const headingId = `set-${name.replace(/[^a-zA-Z0-9_-]/g, '-')}`;

  const onTrain = async (): Promise<void> => {
    const outcome = await train.run();
    if (outcome.ok) {
      onJob(outcome.value.jobId);
      onChanged();
    }
  };

  return (
    <Card
      className="neural-set"
      title={
        <span id={headingId}>
          {set.rule} <span className="muted">/</span> {set.settings}
        </span>
      }
      actions={
        <>
          {current ? <Badge tone="info">version {current.version}</Badge> : <Badge>no profile</Badge>}
          <Badge title={GENERATION_TITLES[set.generation]}>rspamd {set.generation} layout</Badge>
          {!set.selected && (
            <Badge tone="warn" title={NOT_SELECTED_TITLE}>
              {set.generation === '3.4' ? '3.4 leftover' : 'not selected'}
            </Badge>
          )}
          {!set.configured && <Badge tone="warn" title="Found in Redis, not in fuzzyd's neural configuration">Redis only</Badge>}
        </>
      }
    >
      <p className="mono small muted break">{set.zsetKey}</p>
      <div className="neural-grid">
        <section aria-labelledby={`${headingId}-vectors`}>
          <h3 id={`${headingId}-vectors`} className="section-title">
            Training vectors <span className="muted small">({set.vectors.layout === 'none' ? 'none stored' : `${set.vectors.layout} layout`})</span>
          </h3>
          <ProgressBar label={`Spam vectors of ${name}`} tone="spam" value={set.vectors.spam} max={set.maxTrains} text={`Spam ${formatInt(set.vectors.spam)} / ${formatInt(set.maxTrains)}`} />
          <ProgressBar label={`Ham vectors of ${name}`} tone="ham" value={set.vectors.ham} max={set.maxTrains} text={`Ham ${formatInt(set.vectors.ham)} / ${formatInt(set.maxTrains)}`} />
          {set.pendingVectors && (set.pendingVectors.spam > 0 || set.pendingVectors.ham > 0) && (
            <p className="small">
              Including {formatInt(set.pendingVectors.spam)} spam and {formatInt(set.pendingVectors.ham)} ham in the pending sets.
            </p>
          )}
          <p className="small muted">
            Rows are {set.metatokens} metatokens + the profile&apos;s symbols.{' '}
            {set.generation === '4.x'
              ? `rspamd 4.x trains when both classes reach max_trains (${formatInt(set.maxTrains)}) in balanced mode.`
              : `Training starts when a class reaches max_trains (${formatInt(set.maxTrains)}) and the other has vectors.`}
          </p>
        </section>
        <section aria-labelledby={`${headingId}-lock`}>
          <h3 id={`${headingId}-lock`} className="section-title">
            Lock <Badge tone={lock.tone}>{lock.label}</Badge>
          </h3>
          <p className="lock-text">{lock.text}</p>
        </section>
      </div>
      <div className="button-row">
        <Button variant="primary" onClick={onTrain} busy={busy} aria-describedby={train.error ? `${headingId}-train-error` : undefined}>
          {set.activeJobId ? 'Training…' : 'Train now'}
        </Button>
        {set.lock.locked && (
          <Button variant="danger" onClick={() => setConfirmUnlock(true)} disabled={set.activeJobId !== null}>
            Break lock…
          </Button>
        )}
      </div>
      {train.error && (
        <div id={`${headingId}-train-error`}>
          <ErrorMessage error={train.error} context="Could not start the training" />
        </div>
      )}
      {shownJob && (
        <TrainingPanel
          key={shownJob}
          jobId={shownJob}
          onFinished={(_job: NeuralJob) => onChanged()}
          onDismiss={() => onJob(null)}
        />
      )}
      <h3 className="section-title">Versions</h3>
      <ProfilesTable profiles={set.profiles} caption={`ANN versions of ${name}`} />
      {set.invalidProfiles.length > 0 && (
        <details className="invalid-profiles">
          <summary>
            {set.invalidProfiles.length} profile member{set.invalidProfiles.length === 1 ? '' : 's'} rspamd would reject
          </summary>
          <ul>
            {set.invalidProfiles.map((p, i) => (
              <li key={i}>
                <code className="break">{p.member.slice(0, 160)}</code> — {p.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <ConfirmDialog
        open={confirmUnlock}
        title={`Break the lock of ${name}?`}
        confirmLabel="Break lock"
        action={unlock}
        onCancel={() => setConfirmUnlock(false)}
        onConfirm={async () => {
          if ((await unlock.run()).ok) {
            setConfirmUnlock(false);
            onChanged();
          }
        }}
      >
        <p>{lock.text}</p>
        <p>If {set.lock.hostname ?? 'that host'} is still training, its result is saved anyway and may race with another training. Break it only when the trainer is gone.</p>
      </ConfirmDialog>
    </Card>
  );
}
