/**
 * The admin HTTP server against careless and hostile clients, on a real socket: bodies are not read before the token
 * is checked, slow headers are cut, Node's and Fastify's own errors are problem+json, form bodies are refused without
 * being echoed, and every response carries the browser security headers.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type TestFuzzyd, startApi } from '../e2e/api/api-harness.js';

let api: TestFuzzyd;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api?.close());

/** Writes `text` on a fresh connection and collects what comes back until the server closes or `ms` pass. */
function exchange(text: string, ms = 3000): Promise<{ response: string; closed: boolean; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = connect(api.httpPort, '127.0.0.1');
    let response = '';
    let closed = false;
    const timer = setTimeout(() => resolve({ response, closed, socket }), ms);
    socket.on('data', (d) => (response += d.toString()));
    socket.on('close', () => {
      closed = true;
      clearTimeout(timer);
      resolve({ response, closed, socket });
    });
    socket.on('error', () => undefined);
    socket.write(text);
  });
}

const post = (headers: string[]): string => ['POST /api/v1/hashes HTTP/1.1', 'Host: x', ...headers, '', ''].join('\r\n');

describe('bodies of unauthenticated API requests', () => {
  it('are answered 401 as soon as the headers are in, and the connection is closed with the body unread', async () => {
    const started = Date.now();
    const { response, closed } = await exchange(post(['Content-Type: application/json', 'Content-Length: 1048576']));
    expect(response).toMatch(/^HTTP\/1\.1 401 /);
    expect(response).toMatch(/content-type: application\/problem\+json/i);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a wrong token gets the same treatment; a valid one is let through to the route', async () => {
    const wrong = await exchange(post(['Authorization: Bearer nope-nope-nope', 'Content-Type: application/json', 'Content-Length: 100000']));
    expect(wrong.response).toMatch(/^HTTP\/1\.1 401 /);
    expect(wrong.closed).toBe(true);
    const body = '{"digest":"' + 'ab'.repeat(64) + '","flag":1,"value":2}';
    const ok = await exchange(post([`Authorization: Bearer ${ADMIN_TOKEN}`, 'Content-Type: application/json', `Content-Length: ${body.length}`]) + body, 1500);
    expect(ok.response).toMatch(/^HTTP\/1\.1 201 /);
    ok.socket.destroy();
  });

  it('200 connections each starting a 1 MB body without a token are all refused and closed', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, () => exchange(post(['Content-Type: application/json', 'Content-Length: 1048576']) + 'x'.repeat(1000))),
    );
    expect(results.every((r) => r.closed && r.response.startsWith('HTTP/1.1 401'))).toBe(true);
  });
});

describe('errors raised before any route', () => {
  it('headers too large: 431 as problem+json', async () => {
    const { response } = await exchange(`GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 431 /);
    expect(response).toMatch(/Content-Type: application\/problem\+json/);
    expect(JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431 });
  });

  it('a malformed URL: 400 as problem+json naming it', async () => {
    const r = await api.request('GET', '/api/v1/hashes/%zz');
    expect(r.statusCode).toBe(400);
    expect(r.headers['content-type']).toContain('application/problem+json');
    expect(r.json().detail).toMatch(/^url:/);
  });

  it('a form body: 415, and nothing of it is echoed', async () => {
    const r = await api.request('POST', '/api/v1/hashes', { payload: 'secret=topsecret&digest=1', contentType: 'application/x-www-form-urlencoded' });
    expect(r.statusCode).toBe(415);
    expect(r.body).not.toContain('secret');
    expect(r.body).not.toContain('topsecret');
  });
});

describe('slow clients', () => {
  it('a request whose headers do not arrive within 10 s is cut', async () => {
    const { response, closed } = await exchange('GET /health HTTP/1.1\r\nHost: x\r\n', 13_000);
    expect(closed).toBe(true);
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
  }, 20_000);
});

describe('browser security headers', () => {
  it('come with the dashboard and the API', async () => {
    for (const url of ['/', '/health', '/api/v1/stats']) {
      const r = await api.request('GET', url);
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(String(r.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    }
  });
});
