import { randomUUID } from 'node:crypto';
import type { NeuralJob, NeuralJobTrigger } from '../../../../shared/api/neural.js';

/** Finished jobs kept for `GET /neural/jobs`; queued and running jobs are always kept. */
export const KEPT_FINISHED_JOBS = 50;

export function setId(rule: string, settings: string): string {
  return JSON.stringify([rule, settings]);
}

export function isActive(job: NeuralJob): boolean {
  return job.state === 'queued' || job.state === 'running';
}

/** The jobs of this process, newest first; at most one active job per rule × settings. */
export class JobRegistry {
  private readonly jobs = new Map<string, NeuralJob>();

  create(rule: string, settings: string, trigger: NeuralJobTrigger, maxEpochs: number): NeuralJob {
    const job: NeuralJob = {
      id: randomUUID(),
      rule,
      settings,
      trigger,
      state: 'queued',
      epoch: 0,
      maxEpochs,
      trainCost: null,
      validationCost: null,
      bestValidationCost: null,
      bestEpoch: null,
      stoppedEarly: false,
      history: [],
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      fromVersion: null,
      oldKey: null,
      publishedVersion: null,
      newKey: null,
      vectors: null,
      nInputs: null,
      hidden: null,
      report: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    this.prune();
    return job;
  }

  get(id: string): NeuralJob | undefined {
    return this.jobs.get(id);
  }

  activeFor(rule: string, settings: string): NeuralJob | undefined {
    const id = setId(rule, settings);
    for (const job of this.jobs.values()) if (isActive(job) && setId(job.rule, job.settings) === id) return job;
    return undefined;
  }

  active(): NeuralJob[] {
    return [...this.jobs.values()].filter(isActive);
  }

  /** Whether the last finished job of `job`'s set before it failed because the quality gate rejected its model. */
  lastGateRejected(job: NeuralJob): boolean {
    const id = setId(job.rule, job.settings);
    const earlier = [...this.jobs.values()].filter((j) => j !== job && !isActive(j) && setId(j.rule, j.settings) === id);
    const last = earlier[earlier.length - 1];
    return last?.state === 'failed' && last.report?.gate.enforced === true && !last.report.gate.passed;
  }

  list(): NeuralJob[] {
    return [...this.jobs.values()].reverse();
  }

  /** Drops the oldest finished jobs beyond the limit (insertion order is creation order). */
  prune(): void {
    const finished = [...this.jobs.values()].filter((j) => !isActive(j));
    for (const job of finished.slice(0, Math.max(0, finished.length - KEPT_FINISHED_JOBS))) this.jobs.delete(job.id);
  }
}

/** A detached copy for API answers (the live record keeps changing while the job runs). */
export function jobSnapshot(job: NeuralJob): NeuralJob {
  return {
    ...job,
    history: job.history.map((h) => ({ ...h })),
    vectors: job.vectors ? { ...job.vectors } : null,
    report: job.report ? structuredClone(job.report) : null,
  };
}
