/**
 * `dynamic_keys_map` served over HTTP (docs/spec/access-controls.md §3.1), from a real node:http server on loopback,
 * to fuzzyd in process with two UDP threads, and requests encrypted by the project's own client to the keys it
 * serves. `allow_update` is emptied, so only the keys' own rights decide writes.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { type GeneratedKeypair, decodeKey, generateKeypair } from '../../shared/protocol/crypto-keys.js';
import { DynamicKeysWatcher } from '../../server/src/keys/dynamic-keys-map.js';
import { KeyRing } from '../../server/src/keys/key-ring.js';
import { type TestFuzzyd, startTestFuzzyd } from '../helpers/in-process-fuzzyd.js';
import { type MapHttpServer, startMapHttpServer } from '../helpers/map-http-server.js';
import { freeTcpPort } from '../helpers/ports.js';
import { randomDigest } from '../helpers/fuzzy-data.js';
import { tempDir } from '../helpers/temp-dir.js';
import { until } from '../helpers/until.js';

const PASSWORD = 'map-s3cret-pass';
const element = (kp: GeneratedKeypair): string =>
  `{ privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; id = "${kp.id}"; type = "kex"; encoding = "base32"; extensions { read_only = false; } }`;
const mapOf = (...kps: GeneratedKeypair[]): string => `[\n${kps.map(element).join(',\n')}\n]\n`;
const wireId = (kp: GeneratedKeypair): Buffer => Buffer.from(decodeKey(kp.pubkey).subarray(0, 8));

/** Polled every 100 ms for up to 10 s: the map is fetched once a second. */
const eventually = (what: string, probe: () => Promise<boolean>): Promise<void> => until(what, probe, 10_000, 100);

describe('dynamic_keys_map over HTTP, polled every second', () => {
  const [a, b] = [generateKeypair(), generateKeypair()];
  let maps: MapHttpServer;
  let fuzzyd: TestFuzzyd;
  const clients: FuzzyClient[] = [];
  const client = (kp: GeneratedKeypair): FuzzyClient => {
    const c = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: kp.pubkey, timeoutMs: 400, retries: 1, version: 5 });
    clients.push(c);
    return c;
  };
  const stored = randomDigest();

  beforeAll(async () => {
    maps = await startMapHttpServer(mapOf(a), { userinfo: `fuzzyd:${PASSWORD}` });
    fuzzyd = await startTestFuzzyd({
      FUZZYD_DYNAMIC_KEYS_MAP: maps.url,
      FUZZYD_MAP_WATCH_INTERVAL: '1s',
      FUZZYD_ALLOW_UPDATE: '',
      FUZZYD_UDP_THREADS: '2',
      FUZZYD_LOG_LEVEL: 'info',
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fuzzyd?.close();
    await maps?.close();
  });

  it('loads the map before serving: a key only in it encrypts, writes and reads; the URL credentials go as Basic auth', async () => {
    const writer = client(a);
    expect(await writer.write(stored, 1, 7)).toMatchObject({ value: 0, prob: 1 });
    expect(await writer.check(stored)).toMatchObject({ value: 7, flag: 1, prob: 1 });
    expect(maps.requests[0]).toMatchObject({ method: 'GET', path: '/keys.map', status: 200 });
    expect(maps.requests[0].headers.authorization).toBe(`Basic ${Buffer.from(`fuzzyd:${PASSWORD}`).toString('base64')}`);
    expect(maps.requests[0].headers['if-none-match']).toBeUndefined();
  });

  it('polls again with If-None-Match and If-Modified-Since; a 304 keeps the keys', async () => {
    await eventually('a second poll', async () => maps.requests.length >= 2);
    const [first, second] = maps.requests;
    expect(second.headers['if-none-match']).toBeTruthy();
    expect(second.headers['if-modified-since']).toBeTruthy();
    expect(second.status).toBe(304);
    expect(first.status).toBe(200);
    expect(await client(a).check(stored)).toMatchObject({ value: 7, prob: 1 });
  });

  it('a changed map is picked up: a key added to it can be used', async () => {
    const added = client(b);
    await expect(added.check(stored)).rejects.toThrow();
    maps.publish(mapOf(a, b));
    await eventually('the new key answers', () => added.check(stored).then((r) => r.prob === 1, () => false));
    expect(await added.write(randomDigest(), 2, 1)).toMatchObject({ value: 0, prob: 1 });
    expect(fuzzyd.logs.some((l) => l.includes('"msg":"loaded dynamic keypairs"') && l.includes('"keys":2'))).toBe(true);
  });

  it('a broken body keeps the keys in force, and the log names the URL without its password and no key', async () => {
    const polls = maps.requests.length;
    maps.publish(`${mapOf(b).trimEnd().slice(0, -1)}, { privkey = `);
    await eventually('the broken version was fetched', async () => maps.requests.slice(polls).some((r) => r.status === 200));
    await eventually('the warning', async () => fuzzyd.logs.some((l) => l.includes('dynamic_keys_map not reloaded')));
    expect(await client(a).check(stored)).toMatchObject({ value: 7, prob: 1 });
    expect(await client(b).check(stored)).toMatchObject({ value: 7, prob: 1 });
    const warning = fuzzyd.logs.find((l) => l.includes('dynamic_keys_map not reloaded'))!;
    expect(warning).toContain(`http://***@127.0.0.1:${maps.port}/keys.map`);
    expect(warning).toMatch(/not valid UCL\/JSON/);
    for (const secret of [PASSWORD, a.privkey, b.privkey]) expect(fuzzyd.logs.join('\n')).not.toContain(secret);
  });
});

describe('dynamic_keys_map over HTTP: failures', () => {
  const a = generateKeypair();
  const noLog = { onLoaded: () => undefined };

  it('a URL that does not answer at start: fuzzyd starts with no dynamic keys, says so, and loads them once it answers', async () => {
    const port = await freeTcpPort();
    const fuzzyd = await startTestFuzzyd({
      FUZZYD_DYNAMIC_KEYS_MAP: `http://127.0.0.1:${port}/keys.map`,
      FUZZYD_MAP_WATCH_INTERVAL: '1s',
      FUZZYD_LOG_LEVEL: 'info',
    });
    const maps = await startMapHttpServer(mapOf(a), { port });
    const c = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: a.pubkey, timeoutMs: 400, retries: 1 });
    try {
      const warning = fuzzyd.logs.find((l) => l.includes('could not be loaded at start'));
      expect(warning).toMatch(/serving with no dynamic keys until a poll succeeds/);
      expect(warning).toMatch(/ECONNREFUSED/);
      expect(fuzzyd.runtime.keys.list()).toHaveLength(0);
      await eventually('the key answers', () => c.check(randomDigest()).then(() => true, () => false));
      expect(fuzzyd.runtime.keys.list()).toHaveLength(1);
    } finally {
      await c.close();
      await fuzzyd.close();
      await maps.close();
    }
  });

  it('a server that stalls is cut by the timeout, the keys stay, and polls asked for meanwhile do not overlap', async () => {
    const maps = await startMapHttpServer(mapOf(a));
    const ring = new KeyRing([]);
    const errors: string[] = [];
    const watcher = new DynamicKeysWatcher({ kind: 'http', url: maps.url }, 'K', ring, { ...noLog, fetchTimeoutMs: 300, onError: (m) => errors.push(m) });
    try {
      await watcher.poll();
      expect(ring.find(wireId(a))?.pubkey).toBe(a.pubkey);
      maps.publish(mapOf(generateKeypair()));
      maps.stall(true);
      const before = maps.requests.length;
      const polls = [watcher.poll(), watcher.poll(), watcher.poll()];
      expect(polls[1]).toBe(polls[0]);
      await Promise.all(polls);
      expect(maps.requests.length - before).toBe(1);
      expect(errors).toEqual([`${maps.url}: no complete answer within 0.3 s`]);
      expect(ring.find(wireId(a))?.pubkey).toBe(a.pubkey);
    } finally {
      watcher.stop();
      await maps.close();
    }
  });

  it('a body over the size bound, an HTTP error and a refused connection keep the keys', async () => {
    const maps = await startMapHttpServer(mapOf(a));
    const ring = new KeyRing([]);
    const errors: string[] = [];
    const watcher = new DynamicKeysWatcher({ kind: 'http', url: maps.url }, 'K', ring, { ...noLog, maxBytes: 600, onError: (m) => errors.push(m) });
    try {
      await watcher.poll();
      expect(errors).toEqual([]);
      maps.publish(mapOf(a, generateKeypair(), generateKeypair()));
      await watcher.poll();
      expect(errors.at(-1)).toMatch(/body (of \d+ bytes )?is over the 600-byte bound/);
      const missing = new DynamicKeysWatcher({ kind: 'http', url: `${maps.url}.gone` }, 'K', ring, { ...noLog, onError: (m) => errors.push(m) });
      await missing.poll();
      expect(errors.at(-1)).toBe(`${maps.url}.gone: HTTP 404`);
      await maps.close();
      await watcher.poll();
      expect(errors.at(-1)).toMatch(/ECONNREFUSED/);
      expect(ring.find(wireId(a))?.pubkey).toBe(a.pubkey);
      expect(ring.dynamic).toHaveLength(1);
    } finally {
      watcher.stop();
      await maps.close().catch(() => undefined);
    }
  });
});

describe('dynamic_keys_map over HTTPS', () => {
  it("checks the server's certificate: a self-signed one is refused and the keys in force stay", async () => {
    const dir = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-keyout', dir.file('key.pem'), '-out', dir.file('cert.pem')], { stdio: 'ignore' });
    const kp = generateKeypair();
    const server = createHttpsServer({ key: readFileSync(dir.file('key.pem')), cert: readFileSync(dir.file('cert.pem')) }, (_, res) => res.end(mapOf(kp)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/keys.map`;
    const ring = new KeyRing([]);
    const errors: string[] = [];
    const watcher = new DynamicKeysWatcher({ kind: 'http', url }, 'K', ring, { onLoaded: () => undefined, onError: (m) => errors.push(m) });
    try {
      await watcher.poll();
      expect(errors).toEqual([`${url}: DEPTH_ZERO_SELF_SIGNED_CERT`]);
      expect(ring.dynamic).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      dir.remove();
    }
  });
});
