/** The TCP knobs: rspamd's `tcp_timeout` syntax and default, fuzzyd's switch and connection cap. */
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../../server/src/config/app-config.js';
import { tempDir } from '../../helpers/temp-dir.js';

describe('TCP configuration', () => {
  it('defaults: on, rspamd 4.1.5\'s 5 s tcp_timeout, 1024 connections', () => {
    expect(loadConfig({})).toMatchObject({ tcp: true, tcpTimeoutSeconds: 5, tcpMaxConnections: 1024 });
  });

  it('reads the variables, tcp_timeout in rspamd\'s duration syntax', () => {
    const config = loadConfig({ FUZZYD_TCP: 'false', FUZZYD_TCP_TIMEOUT: '300ms', FUZZYD_TCP_MAX_CONNECTIONS: '2' });
    expect(config).toMatchObject({ tcp: false, tcpTimeoutSeconds: 0.3, tcpMaxConnections: 2 });
    expect(loadConfig({ FUZZYD_TCP: '' }).tcp).toBe(true);
  });

  it("takes rspamd's option names from the config file, the environment winning", () => {
    const dir = tempDir();
    try {
      const file = dir.file('fuzzyd.json');
      writeFileSync(file, JSON.stringify({ tcp: false, tcp_timeout: '1min', tcp_max_connections: 10 }));
      expect(loadConfig({ FUZZYD_CONFIG: file })).toMatchObject({ tcp: false, tcpTimeoutSeconds: 60, tcpMaxConnections: 10 });
      expect(loadConfig({ FUZZYD_CONFIG: file, FUZZYD_TCP: 'yes', FUZZYD_TCP_TIMEOUT: '2' })).toMatchObject({ tcp: true, tcpTimeoutSeconds: 2 });
    } finally {
      dir.remove();
    }
  });

  it.each([
    ['FUZZYD_TCP', 'maybe'],
    ['FUZZYD_TCP_TIMEOUT', '0'],
    ['FUZZYD_TCP_TIMEOUT', '0s'],
    ['FUZZYD_TCP_TIMEOUT', 'soon'],
    ['FUZZYD_TCP_TIMEOUT', '30d'],
    ['FUZZYD_TCP_MAX_CONNECTIONS', '0'],
    ['FUZZYD_TCP_MAX_CONNECTIONS', '-1'],
    ['FUZZYD_TCP_MAX_CONNECTIONS', '1.5'],
    ['FUZZYD_TCP_MAX_CONNECTIONS', 'many'],
  ])('%s=%s is refused with an error naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });
});
