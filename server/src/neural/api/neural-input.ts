import type { NeuralClass, NeuralVectorPush } from '../../../../shared/api/neural.js';
import { ValidationError } from '../../common/api-error.js';
import { describe, parseIntParam, parseString, rejectUnknownFields, requireObject } from '../../common/validation.js';

/** Far beyond any real profile (a few hundred symbols), small enough to bound a request. */
export const MAX_VECTOR_VALUES = 100_000;

/** Rule and settings names from the path: they become parts of Redis keys, so no control characters. */
export function parseSetParams(rule: unknown, settings: unknown): { rule: string; settings: string } {
  return {
    rule: parseString(rule, 'rule', { max: 200 }),
    settings: parseString(settings, 'settings', { max: 200 }),
  };
}

export function parseVersionParam(value: unknown): number {
  return parseIntParam(value, 'version', 0, 2 ** 31 - 1);
}

/** `POST .../vectors` body; the width check needs the current profile and happens later. */
export function parseVectorPush(body: unknown): NeuralVectorPush {
  const input = requireObject(body);
  rejectUnknownFields(input, ['class', 'values']);
  if (input.class !== 'spam' && input.class !== 'ham') {
    throw new ValidationError('class', `must be 'spam' or 'ham' (got ${describe(input.class)})`);
  }
  const values = input.values;
  if (!Array.isArray(values) || values.length === 0) {
    const got = Array.isArray(values) ? 'an empty array' : describe(values);
    throw new ValidationError('values', `must be a non-empty array of finite numbers (got ${got})`);
  }
  if (values.length > MAX_VECTOR_VALUES) {
    throw new ValidationError('values', `must have at most ${MAX_VECTOR_VALUES} numbers (got ${values.length})`);
  }
  values.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ValidationError(`values[${i}]`, `must be a finite number (got ${describe(v)})`);
    }
  });
  return { class: input.class as NeuralClass, values: values as number[] };
}
