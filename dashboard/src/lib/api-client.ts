import type { Problem } from './api-types';

export const API_BASE = '/api/v1';

/** One field the server (or a form) found at fault, shown next to that field. */
export interface FieldError {
  field: string;
  message: string;
}

/**
 * Every failed call ends here: an RFC 9457 problem from the API, or a network failure (status 0). Forms read
 * `fieldErrors` to show messages inline; everything else shows `message`.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fieldErrors: FieldError[] = [],
    readonly problem: Problem | null = null,
  ) {
    super(detail || title);
  }

  /** The message for one field, if the server blamed it. */
  fieldError(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }

  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

/** A problem body as sent by fuzzyd (`field`), or with a list of field errors (`errors`), which we accept too. */
type ProblemBody = Partial<Problem> & { errors?: { field?: unknown; message?: unknown }[] };

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/**
 * The API prefixes validation messages with the field (`cidr: must be an IPv4/IPv6 address`); next to the field
 * itself the prefix is noise.
 */
function stripFieldPrefix(field: string, message: string): string {
  const prefix = `${field}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

/** Turns an error response into an ApiError; pure, so it is tested without a server. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const status = response.status;
  const fallbackTitle = STATUS_TITLES[status] ?? (response.statusText || `HTTP ${status}`);
  const type = response.headers.get('content-type') ?? '';
  let body: ProblemBody | null = null;
  if (type.includes('json')) {
    try {
      body = (await response.json()) as ProblemBody;
    } catch {
      body = null;
    }
  }
  if (!body || typeof body !== 'object') {
    return new ApiError(status, fallbackTitle, `${fallbackTitle} (HTTP ${status})`);
  }
  const title = typeof body.title === 'string' && body.title ? body.title : fallbackTitle;
  const detail = typeof body.detail === 'string' && body.detail ? body.detail : title;
  const fieldErrors: FieldError[] = [];
  if (Array.isArray(body.errors)) {
    for (const e of body.errors) {
      if (typeof e?.field === 'string' && typeof e.message === 'string') {
        fieldErrors.push({ field: e.field, message: stripFieldPrefix(e.field, e.message) });
      }
    }
  }
  if (typeof body.field === 'string' && !fieldErrors.some((e) => e.field === body!.field)) {
    fieldErrors.push({ field: body.field, message: stripFieldPrefix(body.field, detail) });
  }
  const problem: Problem = {
    type: typeof body.type === 'string' ? body.type : 'about:blank',
    title,
    status: typeof body.status === 'number' ? body.status : status,
    detail,
  };
  if (typeof body.instance === 'string') problem.instance = body.instance;
  if (typeof body.field === 'string') problem.field = body.field;
  return new ApiError(status, title, detail, fieldErrors, problem);
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with `contentType`. */
  body?: BodyInit;
  contentType?: string;
  signal?: AbortSignal;
}

export interface ApiClientOptions {
  baseUrl?: string;
  getToken: () => string | null;
  /** Called on any 401, so the app can drop the token and show the login page. */
  onUnauthorized?: (error: ApiError) => void;
  fetch?: typeof fetch;
}

export interface ApiClient {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /** The raw response of a successful call (for streamed downloads); errors still throw ApiError. */
  raw(method: string, path: string, options?: RequestOptions): Promise<Response>;
  get<T>(path: string, options?: RequestOptions): Promise<T>;
  post<T>(path: string, json?: unknown, options?: RequestOptions): Promise<T>;
  put<T>(path: string, json?: unknown, options?: RequestOptions): Promise<T>;
  patch<T>(path: string, json?: unknown, options?: RequestOptions): Promise<T>;
  delete<T = void>(path: string, options?: RequestOptions): Promise<T>;
}

export function buildUrl(base: string, path: string, query?: RequestOptions['query']): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}

/** The one HTTP client of the dashboard: bearer token on every call, problem+json turned into ApiError. */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl ?? API_BASE;
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function raw(method: string, path: string, req: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    const token = options.getToken();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] = 'application/json';
    } else if (req.body !== undefined) {
      body = req.body;
      if (req.contentType) headers['content-type'] = req.contentType;
    }
    let response: Response;
    try {
      response = await doFetch(buildUrl(base, path, req.query), { method, headers, body, signal: req.signal });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new ApiError(0, 'Network error', 'fuzzyd did not answer; check that it is running and reachable');
    }
    if (!response.ok) {
      const error = await errorFromResponse(response);
      if (error.status === 401) options.onUnauthorized?.(error);
      throw error;
    }
    return response;
  }

  async function request<T>(method: string, path: string, req: RequestOptions = {}): Promise<T> {
    const response = await raw(method, path, req);
    if (response.status === 204) return undefined as T;
    const type = response.headers.get('content-type') ?? '';
    if (!type.includes('json')) return (await response.text()) as T;
    return (await response.json()) as T;
  }

  return {
    request,
    raw,
    get: (path, req) => request('GET', path, req),
    post: (path, json, req) => request('POST', path, { ...req, json }),
    put: (path, json, req) => request('PUT', path, { ...req, json }),
    patch: (path, json, req) => request('PATCH', path, { ...req, json }),
    delete: (path, req) => request('DELETE', path, req),
  };
}
