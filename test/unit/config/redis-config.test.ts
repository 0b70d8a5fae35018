/** The Redis settings (config/redis-settings.ts, redis-address.ts): rspamd's lua_redis option names, one primary, Sentinel. */
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config/app-config.js';
import { errorOf } from '../../helpers/error-of.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dir = tempDir('fuzzyd-redis-config-');
afterAll(() => dir.remove());
let files = 0;
function fromUcl(text: string): ReturnType<typeof loadConfig> {
  const path = dir.file(`redis-${++files}.conf`);
  writeFileSync(path, text);
  return loadConfig({ FUZZYD_CONFIG: path });
}

describe('Redis settings', () => {
  it("reads a fuzzy worker section's lua_redis options: servers, read_servers, password, dbname, timeout", () => {
    const config = fromUcl(
      'backend = "redis"; write_servers = "10.0.0.1:6380"; read_servers = ["10.0.0.2", "[fd00::3]:6390"];' +
        ' password = "s3cret"; dbname = 4; timeout = 2.5; username = "fuzzy";',
    );
    expect(config.redis).toMatchObject({
      url: 'redis://10.0.0.1:6380',
      configured: true,
      topology: { kind: 'server', primary: 'redis://10.0.0.1:6380', replicas: ['redis://10.0.0.2:6379', 'redis://[fd00::3]:6390'] },
      username: 'fuzzy',
      password: 's3cret',
      db: 4,
      timeoutMs: 2500,
      waitReplicas: 0,
    });
    // The password stays out of the address logs and /health show.
    expect(config.redis!.url).not.toContain('s3cret');
  });

  it('takes `servers` as the primary when no write_servers are given, and a variable over the file', () => {
    expect(loadConfig({ FUZZYD_REDIS_SERVERS: 'redis.example:6381' }).redis?.topology).toEqual({ kind: 'server', primary: 'redis://redis.example:6381', replicas: [] });
    expect(loadConfig({ FUZZYD_REDIS_SERVERS: '/run/redis.sock', FUZZYD_REDIS_DB: '2' }).redis).toMatchObject({ url: '/run/redis.sock', db: 2 });
  });

  it('Sentinel: the sentinels and the master name, default port 26379; rspamd 3.4-4.1.5 file keys', () => {
    const config = fromUcl('sentinels = ["127.0.0.1:26380", "sentinel-b"]; sentinel_masters_pattern = "fuzzy"; sentinel_password = "sp"; sentinel_watch_time = "10s"; ssl = true;');
    expect(config.redis).toMatchObject({
      url: 'sentinel://127.0.0.1:26380,sentinel-b:26379/fuzzy',
      configured: true,
      tls: true,
      topology: {
        kind: 'sentinel',
        sentinels: [{ host: '127.0.0.1', port: 26380 }, { host: 'sentinel-b', port: 26379 }],
        masterName: 'fuzzy',
        sentinelPassword: 'sp',
        watchSeconds: 10,
      },
    });
  });

  it('refuses what it cannot follow, naming the setting', () => {
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_SERVERS: 'a:6379,b:6379' }))).toMatch(/^FUZZYD_REDIS_SERVERS: lists 2 servers; fuzzyd writes to one primary/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_SENTINELS: 'a' }))).toMatch(/^FUZZYD_REDIS_SENTINEL_MASTER: is required/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_SENTINELS: 'a', FUZZYD_REDIS_SENTINEL_MASTER: '^fuzzy.*' }))).toMatch(/must be one master's name/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_SENTINELS: 'a', FUZZYD_REDIS_SENTINEL_MASTER: 'm', FUZZYD_REDIS_URL: 'redis://b' }))).toMatch(/^FUZZYD_REDIS_URL: cannot be combined with FUZZYD_REDIS_SENTINELS/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_URL: '', FUZZYD_REDIS_READ_SERVERS: 'r' }))).toMatch(/^FUZZYD_REDIS_READ_SERVERS: needs a primary/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_URL: 'http://x' }))).toMatch(/^FUZZYD_REDIS_URL: 'http:' is not a Redis URL scheme/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_SERVERS: 'a:99999' }))).toMatch(/^FUZZYD_REDIS_SERVERS: 'a:99999' is not host/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_DB: 'one' }))).toMatch(/^FUZZYD_REDIS_DB: 'one' is not a whole number/);
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_URL: 'redis://u:pw@[bad' }))).not.toContain('pw');
  });

  it('an empty FUZZYD_REDIS_URL turns Redis off only when no other setting names a server', () => {
    expect(loadConfig({ FUZZYD_REDIS_URL: '' }).redis).toBeNull();
    expect(loadConfig({ FUZZYD_REDIS_URL: '', FUZZYD_REDIS_SERVERS: '10.0.0.9' }).redis?.url).toBe('redis://10.0.0.9:6379');
  });
});
