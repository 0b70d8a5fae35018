/**
 * One option of a FUZZY_* symbol, as rspamd's fuzzy_check writes it (src/plugins/fuzzy_check.c, 4.1.5 lines
 * 4953-4975): `flag:found:prob:type` for an exact match, and since 4.x `flag:found:prob:type:queried` for a shingle
 * match, where `found` and `queried` are the first 10 hex digits of the stored and of the message's digest. rspamd 3.x
 * writes the first form for both.
 */
export interface FuzzyOption {
  flag: number;
  found: string;
  probability: number;
  type: string;
  queried: string | null;
}

const OPTION = /^(\d+):([0-9a-f]{1,128}):(\d+(?:\.\d+)?):([a-z]+)(?::([0-9a-f]{1,128}))?$/i;

export function parseFuzzyOption(text: string): FuzzyOption | null {
  const m = OPTION.exec(text.trim());
  if (!m) return null;
  return { flag: Number(m[1]), found: m[2].toLowerCase(), probability: Number(m[3]), type: m[4], queried: m[5]?.toLowerCase() ?? null };
}
