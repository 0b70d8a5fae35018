// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest';
import { ApiError, buildUrl, createApiClient, errorFromResponse } from './api-client';

const problem = (status: number, body: unknown, type = 'application/problem+json'): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });

describe('errorFromResponse: problem+json becomes ApiError', () => {
  it('keeps title and detail, and turns `field` into an inline field error without the "field: " prefix', async () => {
    const err = await errorFromResponse(
      problem(400, { type: 'about:blank', title: 'Bad Request', status: 400, detail: "cidr: '10.0.0.999' is not an IP address or CIDR", field: 'cidr' }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.title).toBe('Bad Request');
    expect(err.message).toBe("cidr: '10.0.0.999' is not an IP address or CIDR");
    expect(err.fieldError('cidr')).toBe("'10.0.0.999' is not an IP address or CIDR");
    expect(err.problem?.field).toBe('cidr');
  });

  it('accepts a list of field errors (`errors: [{field, message}]`) as well', async () => {
    const err = await errorFromResponse(
      problem(400, { title: 'Bad Request', status: 400, detail: 'invalid body', errors: [{ field: 'flag', message: 'flag: must be 0..255' }, { field: 'value', message: 'too big' }] }),
    );
    expect(err.fieldErrors).toEqual([
      { field: 'flag', message: 'must be 0..255' },
      { field: 'value', message: 'too big' },
    ]);
  });

  it('falls back to the status text when the body is not JSON (a proxy error page)', async () => {
    const err = await errorFromResponse(new Response('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    expect(err.status).toBe(502);
    expect(err.title).toBe('Bad Gateway');
    expect(err.message).toBe('Bad Gateway (HTTP 502)');
    expect(err.fieldErrors).toEqual([]);
  });

  it('survives a JSON content type with a broken body', async () => {
    const err = await errorFromResponse(new Response('{"title":', { status: 500, headers: { 'content-type': 'application/problem+json' } }));
    expect(err.status).toBe(500);
    expect(err.title).toBe('Internal Server Error');
  });
});

describe('createApiClient', () => {
  it('attaches the bearer token, sends JSON, and drops empty query values', async () => {
    const fetch = vi.fn(async () => new Response(JSON.stringify({ ok: 1 }), { status: 201, headers: { 'content-type': 'application/json' } }));
    const client = createApiClient({ getToken: () => 'tok', fetch });
    const body = await client.post('/hashes', { flag: 1 }, { query: { mode: 'add', empty: '', none: null } });
    expect(body).toEqual({ ok: 1 });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/hashes?mode=add');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(init.body).toBe('{"flag":1}');
  });

  it('sends no Authorization header without a token, and resolves 204 to undefined', async () => {
    const fetch = vi.fn(async () => new Response(null, { status: 204 }));
    const client = createApiClient({ getToken: () => null, fetch });
    await expect(client.delete('/hashes/ab')).resolves.toBeUndefined();
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect((init.headers as Record<string, string>).authorization).toBeUndefined();
  });

  it('throws ApiError for problems and reports a 401 so the app can end the session', async () => {
    const onUnauthorized = vi.fn();
    const fetch = vi.fn(async () => problem(401, { title: 'Unauthorized', status: 401, detail: 'authorization: the bearer token is not valid' }));
    const client = createApiClient({ getToken: () => 'old', fetch, onUnauthorized });
    const err = await client.get('/flags').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledWith(err);
  });

  it('does not call onUnauthorized for other errors', async () => {
    const onUnauthorized = vi.fn();
    const client = createApiClient({ getToken: () => 't', fetch: async () => problem(503, { title: 'Service Unavailable', status: 503, detail: 'neural features are off: FUZZYD_REDIS_URL is set empty' }), onUnauthorized });
    await expect(client.get('/neural/rules')).rejects.toMatchObject({ status: 503, message: 'neural features are off: FUZZYD_REDIS_URL is set empty' });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('turns a failed connection into an ApiError with status 0, but lets aborts through', async () => {
    const down = createApiClient({ getToken: () => 't', fetch: async () => Promise.reject(new TypeError('Failed to fetch')) });
    const err = (await down.get('/stats').catch((e: unknown) => e)) as ApiError;
    expect(err.isNetworkError).toBe(true);
    const abort = new DOMException('aborted', 'AbortError');
    const aborted = createApiClient({ getToken: () => 't', fetch: async () => Promise.reject(abort) });
    await expect(aborted.get('/stats')).rejects.toBe(abort);
  });
});

describe('buildUrl', () => {
  it('encodes query values', () => {
    expect(buildUrl('/api/v1', '/hashes', { prefix: 'ab', flag: 0, cursor: undefined })).toBe('/api/v1/hashes?prefix=ab&flag=0');
    expect(buildUrl('/api/v1', '/x', { q: 'a b&c' })).toBe('/api/v1/x?q=a+b%26c');
  });
});
