/**
 * The two generations of rspamd's neural data in Redis. Both name ANN hashes and vector sets the same way
 * (`P_R_S_D8_V`, spec/neural.md §3); they differ in the profiles zset, the row width and what a publish writes:
 * - `3.4` (rspamd 3.4 … 3.12, and the 2020 plugin): zset `P2_R_1_S`, 26 metatokens per row (spec/neural.md);
 * - `4.x` (rspamd 3.13 … 4.1.5): zset `P3_R_3_S`, 46 metatokens, `obsolete` marking and the zset TTL at save,
 *   pending vector sets (spec/neural-4x.md §1).
 * No rspamd of one generation reads the other's zset (neural-4x.md §7), so fuzzyd keeps them apart per rule × settings.
 */
export type NeuralGeneration = '3.4' | '4.x';
export const NEURAL_GENERATIONS: readonly NeuralGeneration[] = ['3.4', '4.x'];

/** `FUZZYD_NEURAL_LAYOUT`: one generation for every rule, or `auto` (per rule × settings, by what is in Redis). */
export type NeuralLayoutChoice = NeuralGeneration | 'auto';
export const NEURAL_LAYOUT_CHOICES: readonly NeuralLayoutChoice[] = ['auto', ...NEURAL_GENERATIONS];

export interface NeuralLayout {
  generation: NeuralGeneration;
  /** `plugin_ver`, written right after P in the zset name (neural.md §3, neural-4x.md §1.1). */
  pluginVersion: number;
  /** `lua_meta.version`, the middle number of the zset name (a format version, not a count). */
  metatokensVersion: number;
  /** Metatokens at the start of every row (neural.md §5.1: 26; neural-4x.md §3.1: 46). */
  metatokens: number;
}

export const LAYOUT_3_4: NeuralLayout = Object.freeze({ generation: '3.4', pluginVersion: 2, metatokensVersion: 1, metatokens: 26 });
export const LAYOUT_4_X: NeuralLayout = Object.freeze({ generation: '4.x', pluginVersion: 3, metatokensVersion: 3, metatokens: 46 });

export function layoutOf(generation: NeuralGeneration): NeuralLayout {
  return generation === '4.x' ? LAYOUT_4_X : LAYOUT_3_4;
}

/** Width of a training row of a symbols-only profile: the metatokens, then one value per profile symbol. */
export function vectorWidth(generation: NeuralGeneration, symbolCount: number): number {
  return layoutOf(generation).metatokens + symbolCount;
}

export function isNeuralGeneration(value: unknown): value is NeuralGeneration {
  return value === '3.4' || value === '4.x';
}
