import { ConfigError } from './config-error.js';

/**
 * rspamd's time syntax (`90d`, `12h`, `1.5h`, `30min`, `60s`, `500ms`; a bare number means seconds), as accepted
 * by its `expire`, `sync` and `delay` options.
 */
const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

export function parseDurationSeconds(text: string, name: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match?.[2].toLowerCase() ?? '';
  const factor = unit === '' ? 1 : UNIT_SECONDS[unit];
  if (!match || factor === undefined) {
    throw new ConfigError(name, `'${text}' is not a duration (examples: 90d, 12h, 30min, 60s, 500ms)`);
  }
  return Number(match[1]) * factor;
}
