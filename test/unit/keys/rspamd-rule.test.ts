import { describe, expect, it } from 'vitest';
import { fuzzyServerAddress, rspamdRule } from '../../../server/src/keys/api/rspamd-rule.js';

describe('the fuzzy_check rule answered with a new key', () => {
  it('points at the UDP bind when it names one address, else at the host the API was reached on', () => {
    expect(fuzzyServerAddress({ host: '192.0.2.7', port: 11335 }, 'admin.example.net:11336')).toBe('192.0.2.7:11335');
    expect(fuzzyServerAddress({ host: '0.0.0.0', port: 11335 }, 'fuzzy.example.net:11336')).toBe('fuzzy.example.net:11335');
    expect(fuzzyServerAddress({ host: '::', port: 12000 }, '[2001:db8::5]:11336')).toBe('[2001:db8::5]:12000');
    expect(fuzzyServerAddress({ host: '::1', port: 11335 }, undefined)).toBe('[::1]:11335');
    // A Host header that is not a host name is not pasted into a config file.
    expect(fuzzyServerAddress({ host: '0.0.0.0', port: 11335 }, 'evil"; x = "y')).toBe('fuzzyd.example.net:11335');
  });

  it('encrypts to the key, and is read-only when the key may not write', () => {
    const rule = rspamdRule({ name: 'Customer A!', pubkey: 'pub', server: 'h:1', mayWrite: false });
    expect(rule).toContain('rule "fuzzyd-customer-a" {');
    expect(rule).toContain('  encryption_key = "pub";');
    expect(rule).toContain('  servers = "h:1";');
    expect(rule).toContain('  read_only = true;');
    expect(rspamdRule({ name: '!!!', pubkey: 'p', server: 'h:1', mayWrite: true })).toMatch(/rule "fuzzyd-key" \{[\s\S]*read_only = false;/);
  });
});
