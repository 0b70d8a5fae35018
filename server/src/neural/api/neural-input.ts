import { ValidationError } from '../../common/api-error.js';
import { parseIntParam, parseNameParam } from '../../common/validation.js';
import { isNeuralGeneration, NEURAL_GENERATIONS, type NeuralGeneration } from '../redis/neural-layout.js';

/** Rule and settings names from the path: they become parts of Redis keys, so no control characters. */
export function parseSetParams(rule: unknown, settings: unknown): { rule: string; settings: string } {
  return { rule: parseNameParam(rule, 'rule'), settings: parseNameParam(settings, 'settings') };
}

export function parseVersionParam(value: unknown): number {
  return parseIntParam(value, 'version', 0, 2 ** 31 - 1);
}

/** `?layout=3.4|4.x` picks the generation of a rule × settings; absent, the one FUZZYD_NEURAL_LAYOUT selects. */
export function parseLayoutParam(value: unknown): NeuralGeneration | undefined {
  if (value === undefined) return undefined;
  if (isNeuralGeneration(value)) return value;
  throw new ValidationError('layout', `must be one of ${NEURAL_GENERATIONS.join(', ')}`);
}
