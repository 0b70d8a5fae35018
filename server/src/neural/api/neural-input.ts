import { parseIntParam, parseNameParam } from '../../common/validation.js';

/** Rule and settings names from the path: they become parts of Redis keys, so no control characters. */
export function parseSetParams(rule: unknown, settings: unknown): { rule: string; settings: string } {
  return { rule: parseNameParam(rule, 'rule'), settings: parseNameParam(settings, 'settings') };
}

export function parseVersionParam(value: unknown): number {
  return parseIntParam(value, 'version', 0, 2 ** 31 - 1);
}
