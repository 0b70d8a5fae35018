import { LAYOUT_3_4, type NeuralLayout } from './neural-layout.js';

/**
 * Redis key names of rspamd's neural plugin (spec/neural.md §3 for 3.4, spec/neural-4x.md §1.1 for 3.13+). Pure
 * string functions; the zset name depends on the layout generation, every other key is the same in both.
 *
 * Notation of the spec: P = module prefix, R = rule prefix, S = settings element name, D8 = first 8 characters of
 * the symbols digest, V = ANN version.
 */

export type VectorClass = 'spam' | 'ham';
export const VECTOR_CLASSES: readonly VectorClass[] = ['spam', 'ham'];

/** `P2_R_1_S` (3.4) or `P3_R_3_S` (4.x): the sorted set of profile JSON documents. */
export function profilesKey(prefix: string, rulePrefix: string, settings: string, layout: NeuralLayout = LAYOUT_3_4): string {
  return `${prefix}${layout.pluginVersion}_${rulePrefix}_${layout.metatokensVersion}_${settings}`;
}

/** 4.x `P_R_S_pending_<class>_set` (neural-4x.md §1.1): version-independent rows, counted and trained with the profile's. */
export function pendingSetKey(prefix: string, rulePrefix: string, settings: string, cls: VectorClass): string {
  return `${prefix}_${rulePrefix}_${settings}_pending_${cls}_set`;
}

/** `P_R_S_D8_V`: the hash holding one ANN version (`ann`, `roc_thresholds`, `pca`, `lock`, `hostname`). */
export function annKey(prefix: string, rulePrefix: string, settings: string, digest: string, version: number): string {
  return `${prefix}_${rulePrefix}_${settings}_${digest.slice(0, 8)}_${version}`;
}

/** 3.4 layout: a SET per class (§5.2). */
export function vectorSetKey(ann: string, cls: VectorClass): string {
  return `${ann}_${cls}_set`;
}

/** 2020 layout: a LIST per class (§14). */
export function vectorListKey(ann: string, cls: VectorClass): string {
  return `${ann}_${cls}`;
}

/** Every key that belongs to one ANN version: the hash and both vector layouts. */
export function annFamilyKeys(ann: string): string[] {
  return [ann, ...VECTOR_CLASSES.map((c) => vectorSetKey(ann, c)), ...VECTOR_CLASSES.map((c) => vectorListKey(ann, c))];
}

export interface ProfilesKeyParts {
  prefix: string;
  rulePrefix: string;
  settings: string;
}

/** A configured (rule prefix, settings names) pair, used to split keys whose parts contain '_'. */
export interface KnownRuleSets {
  rulePrefix: string;
  settings: readonly string[];
}

/** The SCAN pattern for every profiles zset of one layout under module prefix P, glob metacharacters escaped. */
export function profilesKeyPattern(prefix: string, layout: NeuralLayout = LAYOUT_3_4): string {
  return `${escapeGlob(`${prefix}${layout.pluginVersion}_`)}*`;
}

export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Splits `P2_R_1_S` (or 4.x's `P3_R_3_S`, with `_3_` as the separator) back into its parts. R and S may both
 * contain '_' (and even the separator), so the split is ambiguous in general. Order of preference:
 *   1. an exact match with a configured rule prefix and settings name;
 *   2. a configured rule prefix followed by the separator (the longest such prefix wins), the rest being the settings;
 *   3. best effort: split at the LAST separator, because settings names are most often the plain `default` while rule
 *      names are free-form (e.g. `rn2_my_1_rule_1_default` → rule `my_1_rule`, settings `default`).
 * Returns null when the key does not start with `P2_` (`P3_`) or has no separator with non-empty parts.
 */
export function parseProfilesKey(
  key: string,
  prefix: string,
  known: readonly KnownRuleSets[] = [],
  layout: NeuralLayout = LAYOUT_3_4,
): ProfilesKeyParts | null {
  const head = `${prefix}${layout.pluginVersion}_`;
  if (!key.startsWith(head)) return null;
  const rest = key.slice(head.length);
  const sep = `_${layout.metatokensVersion}_`;

  for (const k of known) {
    for (const s of k.settings) {
      if (rest === `${k.rulePrefix}${sep}${s}`) return { prefix, rulePrefix: k.rulePrefix, settings: s };
    }
  }
  const byLength = [...known].sort((x, y) => y.rulePrefix.length - x.rulePrefix.length);
  for (const k of byLength) {
    const start = `${k.rulePrefix}${sep}`;
    if (rest.startsWith(start) && rest.length > start.length) {
      return { prefix, rulePrefix: k.rulePrefix, settings: rest.slice(start.length) };
    }
  }
  const at = rest.lastIndexOf(sep);
  if (at <= 0 || at + sep.length >= rest.length) return null;
  return { prefix, rulePrefix: rest.slice(0, at), settings: rest.slice(at + sep.length) };
}

export interface AnnKeyParts {
  /** `P_R_S`: cannot be split further without configuration, since all three may contain '_'. */
  stem: string;
  digest8: string;
  version: number;
}

/**
 * Splits `P_R_S_D8_V` from the right: V is a decimal integer and D8 exactly 8 base32 characters. Returns null for
 * anything else (including vector set/list keys).
 */
export function parseAnnKey(key: string): AnnKeyParts | null {
  const m = /^(.+)_([ybndrfg8ejkmcpqxot1uwisza345h769]{8})_(\d+)$/.exec(key);
  if (!m) return null;
  return { stem: m[1], digest8: m[2], version: Number(m[3]) };
}

export interface VectorKeyParts {
  annKey: string;
  cls: VectorClass;
  layout: 'set' | 'list';
}

/** Recognises `<ann>_spam_set` / `<ann>_ham_set` (3.4) and `<ann>_spam` / `<ann>_ham` (2020). */
export function parseVectorKey(key: string): VectorKeyParts | null {
  const m = /^(.+)_(spam|ham)(_set)?$/.exec(key);
  if (!m) return null;
  return { annKey: m[1], cls: m[2] as VectorClass, layout: m[3] ? 'set' : 'list' };
}
