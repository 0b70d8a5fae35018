/** loadConfig: one loader for the variables and the FUZZYD_CONFIG file, neural settings included, checked at start. */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config/app-config.js';
import { autotrainEnabled } from '../../../server/src/neural/neural-options.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { errorOf } from '../../helpers/error-of.js';

const dir = tempDir('fuzzyd-config-');
afterAll(() => dir.remove());

let files = 0;
/** Writes `content` as a config file and returns the env that names it. */
function withFile(content: unknown, env: Record<string, string> = {}): Record<string, string> {
  const path = dir.file(`config-${++files}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return { FUZZYD_CONFIG: path, ...env };
}

describe('valid configuration', () => {
  const file = {
    bind_socket: ['127.0.0.1:11335', '[::1]:11335'],
    udp_threads: 2,
    tcp: false,
    tcp_timeout: '1min',
    http: '127.0.0.1:8080',
    database: '/var/lib/fuzzyd/fuzzy.db',
    allow_update: ['10.0.0.5/8', 'localhost'],
    blocked: '192.0.2.1',
    expire: '90d',
    skip_hashes: '/etc/fuzzyd/skip.txt',
    redis: 'redis://127.0.0.1:6379/3',
    prefix: 'fz',
    keypair: [{ privkey: 'priv1', pubkey: 'pub1', encoding: 'base32', id: 'x', algorithm: 'curve25519', type: 'kex' }],
    encrypted_only: 'yes',
    read_only: 0,
    reply_codes: '3.4',
    write_queue_max: 500,
    durability: 'normal',
    neural: { prefix: 'nn', rules: { SHORT: { train: { max_trains: 10 } } } },
  };

  it('reads every file key with rspamd-style values', () => {
    const config = loadConfig(withFile(file));
    expect(config).toMatchObject({
      udp: [
        { host: '127.0.0.1', port: 11335, family: 4 },
        { host: '::1', port: 11335, family: 6 },
      ],
      udpThreads: 2,
      tcp: false,
      tcpTimeoutSeconds: 60,
      http: { host: '127.0.0.1', port: 8080 },
      dbPath: '/var/lib/fuzzyd/fuzzy.db',
      expireSeconds: 90 * 86_400,
      skipHashesFile: '/etc/fuzzyd/skip.txt',
      redis: { url: 'redis://127.0.0.1:6379/3', configured: true },
      redisPrefix: 'fz',
      keypairs: [{ privkey: 'priv1', pubkey: 'pub1', encoding: 'base32' }],
      encryptedOnly: true,
      readOnly: false,
      replyCodes: '3.4',
      writeQueueMax: 500,
      durability: 'normal',
    });
    expect(config.allowUpdate.map((n) => n.cidr)).toEqual(['10.0.0.0/8', '127.0.0.1/32', '::1/128']);
    expect(config.blocked.map((n) => n.cidr)).toEqual(['192.0.2.1/32']);
    expect(config.neural.config.prefix).toBe('nn');
    expect(config.neural.config.rules.SHORT.train.max_trains).toBe(10);
  });

  it('lets a variable that is set win over the file', () => {
    const config = loadConfig(
      withFile(file, {
        FUZZYD_UDP: '127.0.0.2:1',
        FUZZYD_TCP: 'on',
        FUZZYD_EXPIRE: '12h',
        FUZZYD_KEYPAIR: 'a:b,c',
        FUZZYD_NEURAL_CONFIG: '{"rules":{"LONG":{}}}',
        // Empty is parsed, not skipped: no networks may update.
        FUZZYD_ALLOW_UPDATE: '',
      }),
    );
    expect(config.udp).toEqual([{ host: '127.0.0.2', port: 1, family: 4 }]);
    expect(config.tcp).toBe(true);
    expect(config.expireSeconds).toBe(12 * 3600);
    expect(config.keypairs).toEqual([{ privkey: 'a', pubkey: 'b' }, { privkey: 'c' }]);
    expect(Object.keys(config.neural.config.rules)).toEqual(['LONG']);
    expect(config.allowUpdate).toEqual([]);
  });

  it('keeps the file keypairs when FUZZYD_KEYPAIR is empty, as before', () => {
    expect(loadConfig(withFile(file, { FUZZYD_KEYPAIR: '' })).keypairs).toEqual([
      { privkey: 'priv1', pubkey: 'pub1', encoding: 'base32' },
    ]);
  });

  it('has the documented defaults, neural included', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      udp: [{ host: '0.0.0.0', port: 11335 }],
      http: { host: '0.0.0.0', port: 11336 },
      backend: 'sqlite',
      dbPath: './data/fuzzy.db',
      expireSeconds: 2 * 86_400,
      redis: { url: 'redis://127.0.0.1:6379', configured: false },
      skipHashesFile: null,
      adminToken: null,
      keypairs: [],
      blocked: [],
      logLevel: 'info',
      writeQueueMax: 2000,
      durability: 'full',
    });
    expect(config.allowUpdate.map((n) => n.cidr)).toEqual(['127.0.0.1/32', '::1/128']);
    expect(config.neural).toMatchObject({ autotrain: null, trigger: 'rspamd' });
    expect(Object.keys(config.neural.config.rules)).toEqual(['default']);
    expect(config.neural.hostname).toBe(`fuzzyd@${hostname()}`);
  });

  it("Redis: rspamd's usual address by default, marked as not configured; an empty value turns it off", () => {
    expect(loadConfig({}).redis).toEqual({ url: 'redis://127.0.0.1:6379', configured: false });
    expect(loadConfig({ FUZZYD_REDIS_URL: 'redis://10.0.0.5:6380/1' }).redis).toEqual({ url: 'redis://10.0.0.5:6380/1', configured: true });
    expect(loadConfig({ FUZZYD_REDIS_URL: '' }).redis).toBeNull();
    expect(errorOf(() => loadConfig({ FUZZYD_REDIS_URL: '', FUZZYD_BACKEND: 'redis' }))).toMatch(/^FUZZYD_BACKEND: redis needs FUZZYD_REDIS_URL/);
  });

  it('reads a switch from any spelling both former parsers took; empty is the default', () => {
    for (const [text, value] of [['1', true], ['TRUE', true], [' yes ', true], ['On', true], ['0', false], ['false', false], ['NO', false], ['off', false]] as const) {
      expect(loadConfig({ FUZZYD_READ_ONLY: text, FUZZYD_NEURAL_AUTOTRAIN: text }), text).toMatchObject({
        readOnly: value,
        neural: { autotrain: value },
      });
    }
    expect(loadConfig({ FUZZYD_READ_ONLY: '', FUZZYD_TCP: '', FUZZYD_NEURAL_AUTOTRAIN: ' ' })).toMatchObject({
      readOnly: false,
      tcp: true,
      neural: { autotrain: null },
    });
  });

  it('automatic training: as set, or unset only against a Redis the admin named', () => {
    const enabled = (env: Record<string, string>) => {
      const config = loadConfig(env);
      return autotrainEnabled(config.neural, config.redis?.configured ?? false);
    };
    expect(enabled({})).toBe(false);
    expect(enabled({ FUZZYD_REDIS_URL: 'redis://10.0.0.5:6379' })).toBe(true);
    expect(enabled({ FUZZYD_NEURAL_AUTOTRAIN: 'true' })).toBe(true);
    expect(enabled({ FUZZYD_REDIS_URL: 'redis://10.0.0.5:6379', FUZZYD_NEURAL_AUTOTRAIN: 'off' })).toBe(false);
  });
});

describe('invalid values are refused, naming the variable', () => {
  it.each([
    ['switch', 'FUZZYD_ENCRYPTED_ONLY', 'maybe', /is not a boolean/],
    ['count', 'FUZZYD_WRITE_QUEUE_MAX', '1e3', /is not a whole number of at least 1/],
    ['bounded count', 'FUZZYD_UDP_THREADS', '65', /is not a whole number from 0 to 64/],
    ['choice', 'FUZZYD_DURABILITY', 'fsync', /'fsync' must be one of full, normal/],
    ['log level', 'FUZZYD_LOG_LEVEL', 'verbose', /must be one of fatal, error, warn, info, debug, trace, silent/],
    ['duration', 'FUZZYD_TCP_TIMEOUT', '5 minutes', /is not a duration/],
    ['short expire', 'FUZZYD_EXPIRE', '10min', /at least 3600 s/],
    ['address', 'FUZZYD_HTTP', 'example.org:80', /is not an IP address/],
    ['port', 'FUZZYD_UDP', '127.0.0.1:70000', /has no valid port/],
    ['network', 'FUZZYD_BLOCKED', '10.0.0.0/33', /invalid prefix length/],
    ['keypair', 'FUZZYD_KEYPAIR', 'a:b:c', /entry 1 is not privkey or privkey:pubkey/],
    ['neural JSON', 'FUZZYD_NEURAL_CONFIG', '{broken', /is not valid JSON/],
    ['neural file', 'FUZZYD_NEURAL_CONFIG', '/nonexistent/neural.json', /names file '\/nonexistent\/neural.json', which does not exist/],
    ['neural field', 'FUZZYD_NEURAL_CONFIG', '{"rules":{"default":{"train":{"max_trains":0}}}}', /rules\.default\.train\.max_trains must be an integer >= 1 \(got 0\)/],
    ['neural trigger', 'FUZZYD_NEURAL_TRIGGER', 'eager', /must be one of rspamd, balanced/],
  ])('%s: %s=%j', (_kind, name, value, problem) => {
    const message = errorOf(() => loadConfig({ [name]: value }));
    expect(message.startsWith(`${name}: `), message).toBe(true);
    expect(message).toMatch(problem);
  });

  it('checks the neural settings without FUZZYD_REDIS_URL, where they used to be read only with Redis', () => {
    expect(() => loadConfig({ FUZZYD_NEURAL_AUTOTRAIN: 'maybe' })).toThrow(/^FUZZYD_NEURAL_AUTOTRAIN: 'maybe'/);
    expect(() => loadConfig(withFile({ neural: { rules: { r: { hiden_layer_mult: 2 } } } }))).toThrow(
      /^neural in .*: rules\.r\.hiden_layer_mult is not a known option/,
    );
  });

  it('refuses the Redis backend without a Redis URL', () => {
    expect(() => loadConfig({ FUZZYD_BACKEND: 'redis', FUZZYD_REDIS_URL: '' })).toThrow(/^FUZZYD_BACKEND: redis needs FUZZYD_REDIS_URL/);
  });
});

describe('the config file', () => {
  it('names the file key and the file of a value it cannot use', () => {
    const env = withFile({ tcp_timeout: '0s' });
    expect(errorOf(() => loadConfig(env))).toBe(`tcp_timeout in ${env.FUZZYD_CONFIG}: '0s' must be greater than 0 and at most 2147483s`);
    expect(errorOf(() => loadConfig(withFile({ read_only: 'sometimes' })))).toMatch(/^read_only in .*: 'sometimes' is not a boolean/);
    expect(errorOf(() => loadConfig(withFile({ udp_threads: { count: 2 } })))).toMatch(
      /^udp_threads in .*: must be a string, a number, a boolean or a list of them/,
    );
  });

  it('refuses a key no setting reads, naming it', () => {
    const env = withFile({ bind_sockets: '127.0.0.1:11335' });
    expect(errorOf(() => loadConfig(env))).toMatch(
      new RegExp(`^FUZZYD_CONFIG: '${env.FUZZYD_CONFIG}' has the unknown key 'bind_sockets' \\(known keys: allow_update, allow_update_keys, audit_max_rows, audit_retention, backend, bind_socket, `),
    );
    // Environment-only settings have no file key.
    expect(errorOf(() => loadConfig(withFile({ admin_token: 'x' })))).toMatch(/unknown key 'admin_token'/);
  });

  it('checks keypair blocks field by field', () => {
    expect(errorOf(() => loadConfig(withFile({ keypair: [{ privkey: 'a' }, { pubkey: 'b' }] })))).toMatch(
      /^keypair in .*: \[1\]\.privkey must be a non-empty string/,
    );
    expect(errorOf(() => loadConfig(withFile({ keypair: { privkey: 'a', encoding: 'base64' } })))).toMatch(
      /^keypair in .*: encoding must be one of base32, hex/,
    );
    expect(errorOf(() => loadConfig(withFile({ keypair: { privkey: 'a', secret: 'b' } })))).toMatch(
      /^keypair in .*: secret is not a keypair field/,
    );
  });

  it('reads a file in rspamd UCL, as a worker-fuzzy.inc body is written', () => {
    const config = loadConfig(
      withFile('# as in worker-fuzzy.inc\nexpire = 90d;\nallow_update = ["10.0.0.0/8"];\nencrypted_only = yes\nkeypair {\n  privkey = "priv1";\n}\n'),
    );
    expect(config.expireSeconds).toBe(90 * 86400);
    expect(config.allowUpdate.map((n) => n.cidr)).toEqual(['10.0.0.0/8']);
    expect(config.encryptedOnly).toBe(true);
    expect(config.keypairs).toEqual([{ privkey: 'priv1' }]);
    expect(errorOf(() => loadConfig(withFile('expire = 90d\n.include "x.inc"')))).toMatch(/^FUZZYD_CONFIG: '.*' is not valid: line 2, column 1: macros/);
  });

  it('refuses a file that is missing or not an object of settings', () => {
    expect(errorOf(() => loadConfig({ FUZZYD_CONFIG: dir.file('missing.json') }))).toMatch(/^FUZZYD_CONFIG: file '.*missing\.json' does not exist/);
    expect(errorOf(() => loadConfig(withFile('[1, 2]')))).toMatch(/^FUZZYD_CONFIG: '.*' is not valid: not an object of settings/);
    expect(errorOf(() => loadConfig(withFile('{"tcp": ')))).toMatch(/^FUZZYD_CONFIG: '.*' is not valid: /);
  });

  it('reads FUZZYD_NEURAL_CONFIG from a file, wrapped in {"neural": …} or not', () => {
    const wrapped = dir.file('neural-wrapped.json');
    writeFileSync(wrapped, JSON.stringify({ neural: { rules: { SHORT: { train: { max_trains: 10 } } } } }));
    expect(loadConfig({ FUZZYD_NEURAL_CONFIG: wrapped }).neural.config.rules.SHORT.train.max_trains).toBe(10);
    const bare = dir.file('neural-bare.json');
    writeFileSync(bare, JSON.stringify({ max_profiles: 4, rules: { x: {} } }));
    expect(loadConfig({ FUZZYD_NEURAL_CONFIG: bare }).neural.config.max_profiles).toBe(4);
  });
});
