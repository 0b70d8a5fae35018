import type { KeyRateLimitText } from '../keys/server-key.js';

/**
 * A key's `extensions.ratelimit` as numbers, the way rspamd's `parse_limit` (lualib/plugins/ratelimit.lua) reads it
 * (docs/spec/access-controls.md §4.5): `"N / T"` is burst N and rate N/T per second (N may end in k, m, g; T in s,
 * m, h, d, and a bare unit means 1 of it); `{ burst, rate }` takes a burst number or "10k"-style string and a rate
 * per second or an "N / T" string meaning N/T; `[burst, rate]` is the old pair. key-extensions.ts has checked the
 * shape at load, so a value here that still does not parse means no limit.
 */
export interface KeyLimit {
  burst: number;
  /** Requests per second leaked. */
  rate: number;
}

const TEXT = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)\s*\/\s*(\d*(?:\.\d+)?)\s*([smhd]?)\s*$/i;
const AMOUNT = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)\s*$/i;
const AMOUNT_MULTIPLIER: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };
const TIME_MULTIPLIER: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

export function parseKeyLimit(value: KeyRateLimitText | null): KeyLimit | null {
  if (value === null) return null;
  if (typeof value === 'string') return parseText(value);
  if (Array.isArray(value)) return valid(value[0], value[1]);
  const burst = typeof value.burst === 'number' ? value.burst : parseAmount(value.burst);
  const rate = typeof value.rate === 'number' ? value.rate : (parseText(value.rate)?.rate ?? parseAmount(value.rate));
  return valid(burst, rate);
}

function parseText(text: string): KeyLimit | null {
  const m = TEXT.exec(text);
  if (!m) return null;
  const burst = Number(m[1]) * AMOUNT_MULTIPLIER[m[2].toLowerCase()];
  const seconds = (m[3] === '' ? 1 : Number(m[3])) * TIME_MULTIPLIER[m[4].toLowerCase()];
  return valid(burst, burst / seconds);
}

function parseAmount(text: string): number {
  const m = AMOUNT.exec(text);
  return m ? Number(m[1]) * AMOUNT_MULTIPLIER[m[2].toLowerCase()] : NaN;
}

function valid(burst: number, rate: number): KeyLimit | null {
  return Number.isFinite(burst) && Number.isFinite(rate) && burst >= 0 && rate >= 0 ? { burst, rate } : null;
}
