import { it } from 'vitest';
import { type RspamdGeneration, unavailableReason } from './rspamd-generation.js';

/**
 * For a suite that runs once per rspamd generation: when `gen` cannot run here, registers one skipped test that says
 * why and returns true, so the suite body can return before its hooks start anything. (Apart from
 * rspamd-generation.ts, which the compiled benchmarks import without vitest.)
 */
export function skippedHere(gen: RspamdGeneration): boolean {
  const reason = unavailableReason(gen);
  if (reason) it.skip(`skipped: ${reason}`, () => undefined);
  return reason !== null;
}
