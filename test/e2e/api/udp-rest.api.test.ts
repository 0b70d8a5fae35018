import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HashDetail, HashPage, StatsResponse } from '../../../shared/api/api-types.js';
import { udpExchange } from '../../helpers/udp-exchange.js';
import { apiWithUdpClient, hexDigest } from './api-harness.js';

// The default configuration: 127.0.0.1 may write over UDP.
const harness = apiWithUdpClient({}, { timeoutMs: 500, retries: 2 });

describe('one store behind both doors', () => {
  it('a hash added over REST is found by a UDP CHECK right after the 201', async () => {
    const digest = hexDigest();
    expect((await harness.udp.check(digest)).prob).toBe(0);
    const r = await harness.api.request('POST', '/api/v1/hashes', { body: { digest, flag: 5, value: 42 } });
    expect(r.statusCode).toBe(201);
    const hit = await harness.udp.check(digest);
    expect(hit).toMatchObject({ prob: 1, flag: 5, value: 42 });
  });

  it('PATCH and DELETE over REST change what UDP sees at once', async () => {
    const digest = hexDigest();
    await harness.api.request('POST', '/api/v1/hashes', { body: { digest, flag: 1, value: 10 } });
    await harness.api.request('PATCH', `/api/v1/hashes/${digest}`, { body: { flag: 2, value: 7 } });
    expect(await harness.udp.check(digest)).toMatchObject({ prob: 1, flag: 2, value: 7 });
    await harness.api.request('DELETE', `/api/v1/hashes/${digest}`);
    expect((await harness.udp.check(digest)).prob).toBe(0);
  });

  it('a UDP WRITE is listed and shown over REST right after its reply', async () => {
    const digest = randomBytes(64);
    expect((await harness.udp.write(digest, 3, 17)).value).toBe(0);
    const detail = await harness.api.request('GET', `/api/v1/hashes/${digest.toString('hex')}`);
    expect(detail.statusCode).toBe(200);
    expect(JSON.parse(detail.body) as HashDetail).toMatchObject({ digest: digest.toString('hex'), flag: 3, flagName: 'whitelist', value: 17 });
    const page = JSON.parse((await harness.api.request('GET', `/api/v1/hashes?prefix=${digest.toString('hex').slice(0, 6)}`)).body) as HashPage;
    expect(page.items.map((i) => i.digest)).toContain(digest.toString('hex'));
    expect((await harness.udp.del(digest)).value).toBe(0);
    expect((await harness.api.request('GET', `/api/v1/hashes/${digest.toString('hex')}`)).statusCode).toBe(404);
  });

  it('GET /stats counts UDP requests per command and result, with per-minute history and per-flag totals', async () => {
    const before = JSON.parse((await harness.api.request('GET', '/api/v1/stats')).body) as StatsResponse;
    const digest = hexDigest();
    await harness.api.request('POST', '/api/v1/hashes', { body: { digest, flag: 1, value: 1 } });
    await harness.udp.check(digest);
    await harness.udp.check(hexDigest());
    await harness.udp.check(hexDigest());
    await new Promise<void>((resolve, reject) => {
      // A datagram that is not a fuzzy request.
      import('node:dgram').then(({ createSocket }) => {
        const s = createSocket('udp4');
        s.send(Buffer.from('garbage'), harness.api.udpPort, '127.0.0.1', (err) => {
          s.close();
          if (err) reject(err);
          else setTimeout(resolve, 50);
        });
      }, reject);
    });
    const stats = JSON.parse((await harness.api.request('GET', '/api/v1/stats')).body) as StatsResponse;
    const count = (s: StatsResponse, command: string, result: string): number =>
      s.requests.find((r) => r.command === command && r.result === result)?.count ?? 0;
    expect(count(stats, 'check', 'hit') - count(before, 'check', 'hit')).toBe(1);
    expect(count(stats, 'check', 'miss') - count(before, 'check', 'miss')).toBe(2);
    expect(stats.invalid - before.invalid).toBe(1);
    expect(stats.hashes.total).toBe(harness.api.runtime.backend.count());
    expect(stats.hashes.byFlag.find((f) => f.flag === 1)).toMatchObject({ name: 'spam' });
    expect(stats.hashes.byFlag.reduce((n, f) => n + f.count, 0)).toBe(stats.hashes.total);
    const minute = stats.history.at(-1)!;
    expect(minute.at).toBeGreaterThanOrEqual(stats.historyFrom);
    expect(minute.at).toBeLessThan(stats.historyTo);
    expect(minute.requests.check).toBeGreaterThanOrEqual(3);
    expect(minute.invalid).toBeGreaterThanOrEqual(1);
    expect(stats.historyTo - stats.historyFrom).toBe(24 * 60 * 60_000);
    const short = JSON.parse((await harness.api.request('GET', '/api/v1/stats?minutes=5')).body) as StatsResponse;
    expect(short.historyTo - short.historyFrom).toBe(5 * 60_000);
    expect((await harness.api.request('GET', '/api/v1/stats?minutes=0')).statusCode).toBe(400);
  });

  it('/metrics exposes UDP requests, handling time, store size and HTTP requests in Prometheus text', async () => {
    await harness.udp.check(hexDigest());
    const unsupported = Buffer.alloc(76);
    unsupported[0] = 0x16;
    expect(await udpExchange(unsupported, harness.api.udpPort, { timeoutMs: 200 })).toBeNull();
    const r = await harness.api.request('GET', '/metrics', { token: null });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    const text = r.body;
    expect(text).toMatch(/^fuzzyd_udp_requests_total\{command="check",result="miss"\} [1-9]\d*$/m);
    expect(text).toMatch(/^# TYPE fuzzyd_udp_handling_seconds histogram$/m);
    expect(text).toMatch(/^fuzzyd_udp_handling_seconds_bucket\{le="\+Inf"\} [1-9]\d*$/m);
    expect(text).toMatch(/^fuzzyd_udp_handling_seconds_count [1-9]\d*$/m);
    expect(text).toContain(`fuzzyd_hashes ${harness.api.runtime.backend.count()}\n`);
    // Dropped requests are counted by reason.
    expect(text).toMatch(/^fuzzyd_udp_invalid_total\{reason="version"\} [1-9]\d*$/m);
    expect(text).toMatch(/^fuzzyd_sqlite_backlog\{queue="journal_ops"\} \d+$/m);
    expect(text).toMatch(/^fuzzyd_sqlite_backlog\{queue="shingle_hashes"\} \d+$/m);
    expect(text).toMatch(/^fuzzyd_http_requests_total\{method="POST",route="\/api\/v1\/hashes",status="201"\} [1-9]\d*$/m);
    expect(text).toMatch(/^fuzzyd_http_request_duration_seconds_bucket\{le="0.01",method="GET",route="\/api\/v1\/hashes\/:digest"\} \d+$/m);
    // Histogram buckets are cumulative.
    const buckets = [...text.matchAll(/^fuzzyd_udp_handling_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => Number(m[2]));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
  });
});
