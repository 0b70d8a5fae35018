/**
 * /api/v1/ratelimits: the source networks the rate limit tracks, read from the buckets every UDP thread shares, and
 * an admin lifting a ban so the network is served again at once (docs/spec/access-controls.md §4).
 */
import { describe, expect, it } from 'vitest';
import type { RateLimitState } from '../../../shared/api/api-types.js';
import { Command } from '../../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../../shared/protocol/codec.js';
import { randomDigest } from '../../helpers/fuzzy-data.js';
import { udpExchange } from '../../helpers/udp-exchange.js';
import { apiHarnesses } from './api-harness.js';

const { start } = apiHarnesses();

describe('/api/v1/ratelimits', () => {
  it('lists a banned network and lifts the ban on DELETE; a read token may list, not lift', async () => {
    // Loopback is exempt as in rspamd 3.14+ unless told otherwise; mask 32 keeps 127.0.0.7 a network of its own.
    const api = await start({
      FUZZYD_RATELIMIT_BURST: '2',
      FUZZYD_RATELIMIT_RATE: '0',
      FUZZYD_RATELIMIT_NETWORK_MASK: '32',
      FUZZYD_RATELIMIT_EXEMPT_LOCAL: 'false',
    });
    const check = async () =>
      decodeReply((await udpExchange(encodeRequest({ cmd: Command.Check, digest: randomDigest(), tag: 1 }), api.udpPort, { from: '127.0.0.7' }))!);
    const values = [];
    for (let i = 0; i < 3; i++) values.push((await check()).value);
    expect(values).toEqual([0, 0, 403]);

    const listed = (await api.request('GET', '/api/v1/ratelimits')).json() as RateLimitState;
    expect(listed).toMatchObject({ enabled: true, logOnly: false });
    expect(listed.buckets[0]).toMatchObject({ network: '127.0.0.7/32', banned: true, level: null });
    expect(Date.parse(listed.buckets[0].expiresAt) - Date.parse(listed.buckets[0].createdAt)).toBe(3600_000);

    const reader = await api.request('POST', '/api/v1/tokens', { body: { name: 'ro', scope: 'read' } });
    const readToken = (reader.json() as { token: string }).token;
    expect((await api.request('DELETE', '/api/v1/ratelimits?network=127.0.0.7/32', { token: readToken })).statusCode).toBe(403);
    expect((await api.request('DELETE', '/api/v1/ratelimits?network=127.0.0.7/32')).statusCode).toBe(204);
    expect((await check()).value).toBe(0);
    expect((await api.request('DELETE', '/api/v1/ratelimits?network=10.9.9.9/32')).statusCode).toBe(404);
    const bad = await api.request('DELETE', '/api/v1/ratelimits?nets=1');
    expect(bad.statusCode).toBe(400);
  });

  it('says when no limit is configured', async () => {
    const api = await start();
    expect((await api.request('GET', '/api/v1/ratelimits')).json()).toEqual({ enabled: false, logOnly: false, buckets: [] });
  });
});
