import { api } from '../../../lib/api';
import type { NeuralJob, NeuralSetItem, NeuralTrainAccepted, NeuralUnlockResult } from '../../../lib/api-types';

const setPath = (rule: string, settings: string): string => `/neural/rules/${encodeURIComponent(rule)}/settings/${encodeURIComponent(settings)}`;

export function fetchNeuralSets(signal?: AbortSignal): Promise<NeuralSetItem[]> {
  return api.get<NeuralSetItem[]>('/neural/rules', { signal });
}

export function startTraining(rule: string, settings: string): Promise<NeuralTrainAccepted> {
  return api.post<NeuralTrainAccepted>(`${setPath(rule, settings)}/train`);
}

export function fetchJob(id: string, signal?: AbortSignal): Promise<NeuralJob> {
  return api.get<NeuralJob>(`/neural/jobs/${encodeURIComponent(id)}`, { signal });
}

export function breakLock(rule: string, settings: string): Promise<NeuralUnlockResult> {
  return api.delete<NeuralUnlockResult>(`${setPath(rule, settings)}/lock`);
}

export function setId(set: { rule: string; settings: string }): string {
  return `${set.rule}/${set.settings}`;
}
