/** Knobs that decide what clients are answered and what the store keeps: reply_codes and a safe expire. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../../server/src/config/app-config.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('reply_codes', () => {
  it('defaults to auto and takes 3.4, 3.10 from the environment or rspamd-style file key', () => {
    expect(loadConfig({}).replyCodes).toBe('auto');
    expect(loadConfig({ FUZZYD_REPLY_CODES: '3.10' }).replyCodes).toBe('3.10');
    const dir = tempDir();
    try {
      writeFileSync(dir.file('c.json'), JSON.stringify({ reply_codes: '3.4' }));
      expect(loadConfig({ FUZZYD_CONFIG: dir.file('c.json') }).replyCodes).toBe('3.4');
    } finally {
      dir.remove();
    }
  });

  it('refuses other values, naming the variable', () => {
    expect(() => loadConfig({ FUZZYD_REPLY_CODES: '4.0' })).toThrow(/FUZZYD_REPLY_CODES: '4.0' must be one of auto, 3.4, 3.10/);
  });
});

describe('expire', () => {
  it("accepts rspamd's durations from an hour up", () => {
    expect(loadConfig({ FUZZYD_EXPIRE: '90d' }).expireSeconds).toBe(90 * 86400);
    expect(loadConfig({ FUZZYD_EXPIRE: '1h' }).expireSeconds).toBe(3600);
  });

  it.each(['0', '59min', '30', '0s'])('refuses %s: the purge would empty the store', (text) => {
    expect(() => loadConfig({ FUZZYD_EXPIRE: text })).toThrow(/^FUZZYD_EXPIRE: .*at least 3600 s/);
  });
});
