import { vi } from 'vitest';

export interface FakeCall {
  method: string;
  url: URL;
  body: unknown;
}

type Handler = (call: FakeCall) => Response | Promise<Response>;

export const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' } });

export const problem = (status: number, detail: string, field?: string): Response =>
  json({ type: 'about:blank', title: { 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 503: 'Service Unavailable' }[status] ?? 'Error', status, detail, ...(field ? { field } : {}) }, status);

/**
 * Replaces global fetch with routes keyed `METHOD /path` (path without /api/v1 and query). Unknown routes answer 404
 * problems so a test notices calls it did not expect. Returns the calls made.
 */
export function fakeApi(routes: Record<string, Handler>): FakeCall[] {
  const calls: FakeCall[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const url = new URL(input, 'http://dashboard.test');
      const method = init.method ?? 'GET';
      let body: unknown = init.body;
      if (typeof init.body === 'string') {
        try {
          body = JSON.parse(init.body);
        } catch {
          body = init.body;
        }
      }
      const call = { method, url, body };
      calls.push(call);
      const path = url.pathname.replace(/^\/api\/v1/, '');
      const handler = routes[`${method} ${path}`] ?? Object.entries(routes).find(([k]) => k.endsWith('*') && `${method} ${path}`.startsWith(k.slice(0, -1)))?.[1];
      if (!handler) return problem(404, `no fake route for ${method} ${path}`);
      return handler(call);
    }),
  );
  sessionStorage.setItem('fuzzyd.apiToken', 'test-token');
  return calls;
}
