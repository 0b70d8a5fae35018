/**
 * Per-key and per-flag request counts (docs/spec/access-controls.md §11) over real UDP through two UDP threads:
 * CHECKs are answered on the threads (each counting into its own block), WRITE and DEL on the main thread, and
 * GET /stats/keys, /stats/flags and /metrics must show the sum, each request under the key it was encrypted to.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlagStatsResponse, KeyRequestStats, KeyStatsResponse } from '../../../shared/api/api-types.js';
import { FuzzyClient } from '../../../shared/client/fuzzy-client.js';
import { type GeneratedKeypair, generateKeypair } from '../../../shared/protocol/crypto-keys.js';
import { type TestFuzzyd, startTestFuzzyd } from '../../helpers/in-process-fuzzyd.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { tempDir } from '../../helpers/temp-dir.js';

const keys = { writer: generateKeypair(), reader: generateKeypair(), limited: generateKeypair(), expired: generateKeypair() };
const block = (kp: GeneratedKeypair, extensions: string): string =>
  `keypair { privkey = "${kp.privkey}"; pubkey = "${kp.pubkey}"; extensions { ${extensions} } }`;
/** `D-M-YYYY` of yesterday, local time, as `expire` is written. */
const yesterday = ((now) => {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1);
  return `${d.getDate()}-${d.getMonth() + 1}-${d.getFullYear()}`;
})(new Date());

describe('per-key and per-flag stats with two UDP threads', () => {
  const dir = tempDir();
  let fuzzyd: TestFuzzyd;
  const clients: FuzzyClient[] = [];
  /** A client of its own (own socket, own source port), so the kernel spreads them over both threads. */
  const client = (kp: GeneratedKeypair | null, version?: number): FuzzyClient => {
    const c = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, encryptionKey: kp?.pubkey, timeoutMs: 2000, retries: 1, version });
    clients.push(c);
    return c;
  };
  const get = async <T>(url: string): Promise<T> => {
    const res = await fuzzyd.request('GET', url);
    expect(res.statusCode).toBe(200);
    return res.json() as T;
  };

  beforeAll(async () => {
    writeFileSync(
      dir.file('fuzzyd.conf'),
      [
        block(keys.writer, 'name = "writer"; allowed_ops = ["read", "write", "delete"];'),
        block(keys.limited, 'name = "limited"; ratelimit { burst = 1; rate = 0; }'),
        block(keys.expired, `name = "expired"; expire = "${yesterday}";`),
        block(keys.reader, 'name = "reader";'),
      ].join('\n'),
    );
    fuzzyd = await startTestFuzzyd({ FUZZYD_CONFIG: dir.file('fuzzyd.conf'), FUZZYD_ALLOW_UPDATE: '', FUZZYD_UDP_THREADS: '2' });
    expect(fuzzyd.runtime.udp.threads).toBe(2);

    const writer = client(keys.writer);
    const spam = randomDigest();
    const other = randomDigest();
    expect(await writer.write(spam, 7, 10)).toMatchObject({ value: 0, prob: 1 });
    expect(await writer.write(other, 200, 3)).toMatchObject({ value: 0, prob: 1 });
    // A multi-flag hash (rspamd 4.x's rule: flag 21, the higher value, becomes primary, 20 takes an extra slot). A
    // 4.x client's hit shows both flags, a 3.x client's the primary only: each flag shown counts a hit.
    const multi = randomDigest();
    const writer4x = client(keys.writer, 5);
    expect((await writer4x.write(multi, 20, 5)).prob).toBe(1);
    expect((await writer4x.write(multi, 21, 9)).prob).toBe(1);
    expect(await client(keys.reader, 5).check(multi)).toMatchObject({ flag: 21, extraFlags: [{ flag: 20, value: 5 }] });
    expect(await client(keys.reader).check(multi)).toMatchObject({ flag: 21, prob: 1 });
    for (let i = 0; i < 3; i++) expect(await client(keys.reader).check(spam)).toMatchObject({ flag: 7, prob: 1 });
    for (let i = 0; i < 2; i++) expect((await client(keys.reader).check(randomDigest())).prob).toBe(0);
    // Refused: the reader may not write (503/403: forbidden), a plaintext write with allow_update empty neither.
    expect((await client(keys.reader).write(randomDigest(), 7, 1)).value).toBe(403);
    expect((await client(null).write(randomDigest(), 9, 1)).value).toBe(403);
    expect(await client(null).check(spam)).toMatchObject({ flag: 7, prob: 1 });
    // The key bucket (burst 1, rate 0) lets one CHECK through, then refuses, on whichever thread.
    expect((await client(keys.limited).check(spam)).prob).toBe(1);
    expect(await client(keys.limited).check(spam)).toMatchObject({ value: 403, prob: 0 });
    expect(await client(keys.expired).check(spam)).toMatchObject({ value: 403, prob: 0 });
    expect(await writer.del(other, 200)).toMatchObject({ value: 0, prob: 1 });
    expect((await client(keys.reader).ping(5)).value).toBe(5);
    expect((await fuzzyd.request('PUT', '/api/v1/flags/7', { body: { name: 'spam' } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await fuzzyd?.close();
    dir.remove();
  });

  it('the UDP threads answered CHECKs themselves (their blocks are part of the sums below)', () => {
    const [, ...threads] = fuzzyd.runtime.stats.handledPerThread();
    expect(threads.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('GET /stats/keys: each request under its key, plaintext on its own row, refusals by reason', async () => {
    const body = await get<KeyStatsResponse>('/api/v1/stats/keys');
    expect(body.maxKeys).toBeGreaterThan(4);
    const row = (name: string | null): KeyRequestStats => body.keys.find((k) => (name === null ? k.row === 'plaintext' : k.name === name))!;
    expect(body.keys.map((k) => k.name ?? k.row)).toEqual(['plaintext', 'writer', 'limited', 'expired', 'reader']);
    const zeroRefusals = { ratelimited: 0, forbidden: 0, expired: 0, overloaded: 0 };
    expect(row('writer')).toMatchObject({ checks: 0, writes: 4, deletes: 1, refused: zeroRefusals, errors: 0, source: 'static', inRing: true });
    expect(row('writer').pubkeyStart).toBe(keys.writer.pubkey.slice(0, 12));
    expect(row('writer').id).toBe(keys.writer.id);
    expect(row('reader')).toMatchObject({ requests: 9, checks: 7, hits: 5, misses: 2, writes: 0, refused: { ...zeroRefusals, forbidden: 1 }, other: 1 });
    expect(row(null)).toMatchObject({ id: null, pubkeyStart: null, requests: 2, checks: 1, hits: 1, refused: { ...zeroRefusals, forbidden: 1 } });
    expect(row('limited')).toMatchObject({ checks: 2, hits: 1, refused: { ...zeroRefusals, ratelimited: 1 } });
    expect(row('expired')).toMatchObject({ checks: 1, hits: 0, refused: { ...zeroRefusals, expired: 1 } });
    // Nothing secret in the rows: no private key of any keypair appears.
    const text = JSON.stringify(body);
    for (const kp of Object.values(keys)) expect(text).not.toContain(kp.privkey);
  });

  it('GET /stats/flags: hits, writes, deletes and refusals per flag, named where the flag has a name', async () => {
    const { flags } = await get<FlagStatsResponse>('/api/v1/stats/flags');
    expect(flags).toEqual([
      { flag: 7, name: 'spam', hits: 5, writes: 1, deletes: 0, refused: 1 },
      { flag: 9, name: null, hits: 0, writes: 0, deletes: 0, refused: 1 },
      { flag: 20, name: null, hits: 1, writes: 1, deletes: 0, refused: 0 },
      { flag: 21, name: null, hits: 2, writes: 1, deletes: 0, refused: 0 },
      { flag: 200, name: null, hits: 0, writes: 1, deletes: 1, refused: 0 },
    ]);
  });

  it('/metrics: fuzzyd_key_requests_total and fuzzyd_flag_requests_total with the same counts', async () => {
    const res = await fuzzyd.request('GET', '/metrics', { token: null });
    expect(res.statusCode).toBe(200);
    const writer = keys.writer.pubkey.slice(0, 12);
    const reader = keys.reader.pubkey.slice(0, 12);
    expect(res.body).toContain(`fuzzyd_key_requests_total{key="${writer}",name="writer",command="write",outcome="added"} 4\n`);
    expect(res.body).toContain(`fuzzyd_key_requests_total{key="${writer}",name="writer",command="del",outcome="deleted"} 1\n`);
    expect(res.body).toContain(`fuzzyd_key_requests_total{key="${reader}",name="reader",command="check",outcome="hit"} 5\n`);
    expect(res.body).toContain(`fuzzyd_key_requests_total{key="${reader}",name="reader",command="write",outcome="forbidden"} 1\n`);
    expect(res.body).toContain('fuzzyd_key_requests_total{key="plaintext",name="",command="write",outcome="forbidden"} 1\n');
    expect(res.body).toContain(`fuzzyd_key_requests_total{key="${keys.limited.pubkey.slice(0, 12)}",name="limited",command="check",outcome="ratelimited"} 1\n`);
    expect(res.body).toContain('fuzzyd_flag_requests_total{flag="7",outcome="hit"} 5\n');
    expect(res.body).toContain('fuzzyd_flag_requests_total{flag="200",outcome="deleted"} 1\n');
    expect(res.body).toContain('fuzzyd_flag_requests_total{flag="9",outcome="refused"} 1\n');
    // Only series with a count: the writer never checked.
    expect(res.body).not.toContain(`key="${writer}",name="writer",command="check"`);
  });

  it('the stats routes need a token', async () => {
    expect((await fuzzyd.request('GET', '/api/v1/stats/keys', { token: null })).statusCode).toBe(401);
    expect((await fuzzyd.request('GET', '/api/v1/stats/flags', { token: null })).statusCode).toBe(401);
  });
});
