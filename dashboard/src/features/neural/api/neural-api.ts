import { api } from '../../../lib/api';
import type { NeuralGeneration, NeuralJob, NeuralSetItem, NeuralTrainAccepted, NeuralUnlockResult } from '../../../lib/api-types';

/** A set's route; `?layout=` names its generation, since one rule × settings may have both (3.4 leftovers beside 4.x). */
const setPath = (rule: string, settings: string): string =>
  `/neural/rules/${encodeURIComponent(rule)}/settings/${encodeURIComponent(settings)}`;

const withLayout = (path: string, layout: NeuralGeneration): string => `${path}?layout=${encodeURIComponent(layout)}`;

export function fetchNeuralSets(signal?: AbortSignal): Promise<NeuralSetItem[]> {
  return api.get<NeuralSetItem[]>('/neural/rules', { signal });
}

export function startTraining(rule: string, settings: string, layout: NeuralGeneration): Promise<NeuralTrainAccepted> {
  return api.post<NeuralTrainAccepted>(withLayout(`${setPath(rule, settings)}/train`, layout));
}

export function fetchJob(id: string, signal?: AbortSignal): Promise<NeuralJob> {
  return api.get<NeuralJob>(`/neural/jobs/${encodeURIComponent(id)}`, { signal });
}

export function breakLock(rule: string, settings: string, layout: NeuralGeneration): Promise<NeuralUnlockResult> {
  return api.delete<NeuralUnlockResult>(withLayout(`${setPath(rule, settings)}/lock`, layout));
}

/** The name a set is shown and labelled by; the generation fuzzyd does not select for the pair says which it is. */
export function setId(set: { rule: string; settings: string; generation?: NeuralGeneration; selected?: boolean }): string {
  const name = `${set.rule}/${set.settings}`;
  return set.selected === false ? `${name} (${set.generation} layout)` : name;
}
