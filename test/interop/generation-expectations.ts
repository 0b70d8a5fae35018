/**
 * How rspamd clients of each generation show what a storage answered (docs/spec/fuzzy-protocol.md §6.4, §10), so one
 * interop suite can assert the same storage behaviour through every generation's eyes.
 */
import type { RspamdGeneration } from '../helpers/rspamd-generation.js';
import type { InteropTarget } from './storage-under-test.js';

const atLeast = (gen: RspamdGeneration, major: number, minor: number, patch = 0): boolean => {
  const [a, b, c = 0] = gen.version.split('.').map(Number);
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
};

/**
 * fuzzyd's reply-code setting for a generation's interop run: its default `auto` for 3.4 and 4.x; for 3.12.1 the
 * `3.10` set, as a site whose 3.x clients are all 3.10 or later would configure it (a 3.12 client cannot be told from
 * a 3.4 one on the wire).
 */
export function replyCodesFor(gen: RspamdGeneration): 'auto' | '3.10' {
  return !gen.multiFlag && atLeast(gen, 3, 10) ? '3.10' : 'auto';
}

/** The weight factor of a match's probability: sqrt(prob) up to 4.1.2, then (prob − 0.5) / 0.5 (4.1.3, c45ab97a4). */
export function probabilityFactor(gen: RspamdGeneration, prob: number): number {
  return atLeast(gen, 4, 1, 3) ? Math.min(1, Math.max(0, (prob - 0.5) / 0.5)) : Math.sqrt(prob);
}

/** A symbol's score for a match: symbol weight · tanh(e · value / max_score) · the probability factor. */
export function expectedScore(gen: RspamdGeneration, weight: number, value: number, maxScore: number, prob: number): number {
  return weight * Math.tanh((Math.E * value) / maxScore) * probabilityFactor(gen, prob);
}

/** `flag:stored10:prob:type`, and since 4.1.3 `:queried10` after it on a match that is not exact. */
export const OPTION = /^(\d+):([0-9a-f]{10}):(\d\.\d\d):(txt|bin|img|content)(?::([0-9a-f]{10}))?$/;

export function queriedDigestShown(gen: RspamdGeneration): boolean {
  return atLeast(gen, 4, 1, 3);
}

/** The HTTP status a refused learn gets: the storage's reply code, which 3.10 changed from 403 to 503. */
export function refusedLearnStatus(gen: RspamdGeneration): number {
  return atLeast(gen, 3, 10) ? 503 : 403;
}

/** What a scan shows when the storage refuses plaintext (`encrypted_only`), and the status of a refused learn. */
export function encryptionRefusal(gen: RspamdGeneration): { symbol: string; learnStatus: number } {
  return atLeast(gen, 3, 10) ? { symbol: 'FUZZY_ENCRYPTION_REQUIRED', learnStatus: 415 } : { symbol: 'FUZZY_BLOCKED', learnStatus: 403 };
}

/**
 * The hash count a controller shows for an empty storage. rspamd ≥ 3.8's own storage answers STAT with prob = count,
 * so its clients drop the rule from the listing; fuzzyd answers prob 1 and they show 0.
 */
export function emptyStatCount(gen: RspamdGeneration, target: InteropTarget): number | undefined {
  return target === 'rspamd' && atLeast(gen, 3, 8) ? undefined : 0;
}

/** rspamd's own SQLite backend keeps one flag per digest in every generation; its Redis backend has 8 since 4.0. */
export function keepsSeveralFlags(gen: RspamdGeneration, target: InteropTarget, backend: 'sqlite' | 'redis'): boolean {
  return gen.multiFlag && (target === 'fuzzyd' || backend === 'redis');
}
