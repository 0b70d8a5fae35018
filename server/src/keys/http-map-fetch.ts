import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * One conditional GET of an rspamd map served over HTTP(S) (docs/spec/access-controls.md §3.1): the validators of
 * the last complete answer go out as If-None-Match / If-Modified-Since, a 304 means "unchanged", a 200 brings the
 * new body. rspamd asks with a HEAD and then GETs on a 200 (src/libserver/maps/map.c:105-149, 890-965); one
 * conditional GET gives the same answer in one round trip. Userinfo in the URL becomes Basic authorization, as
 * rspamd makes it (map.c:3340-3353), and never appears in a message: every error names the URL through
 * `redactMapUrl`. Redirects are not followed (rspamd's HTTP client does not either).
 */

/** What the server said about the version it sent, echoed on the next poll. */
export interface MapValidators {
  etag: string | null;
  lastModified: string | null;
}

export const NO_VALIDATORS: MapValidators = Object.freeze({ etag: null, lastModified: null });

export type MapFetchResult =
  | { status: 'modified'; body: string; validators: MapValidators }
  | { status: 'not-modified'; validators: MapValidators };

/** Why a poll brought nothing usable: the message is safe to log (no credentials, no body). */
export class MapFetchError extends Error {
  override readonly name = 'MapFetchError';
}

export interface MapFetchOptions {
  /** The whole exchange, connect to last body byte. */
  timeoutMs: number;
  /** Bodies longer than this are cut off and refused. */
  maxBytes: number;
}

/** The URL with its userinfo replaced by `***@` (as rspamd's map.c:2952 `rspamd_map_uri_redacted`), for logs. */
export function redactMapUrl(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const authorityStart = scheme + 3;
  const rest = url.slice(authorityStart);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at < 0) return url;
  return `${url.slice(0, authorityStart)}***@${rest.slice(at + 1)}`;
}

export function fetchHttpMap(rawUrl: string, validators: MapValidators, o: MapFetchOptions, signal?: AbortSignal): Promise<MapFetchResult> {
  const shown = redactMapUrl(rawUrl);
  const url = new URL(rawUrl);
  const headers: Record<string, string> = { 'user-agent': 'fuzzyd', accept: '*/*' };
  if (url.username || url.password) {
    const userinfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(userinfo, 'utf8').toString('base64')}`;
  }
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<MapFetchResult>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, result?: MapFetchResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(result!);
    };
    const fail = (message: string): void => finish(new MapFetchError(`${shown}: ${message}`));
    const onAbort = (): void => fail('polling stopped');
    const target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port: url.port || undefined, path: `${url.pathname}${url.search}` };
    // A connection of its own per poll, closed after it (as rspamd's `Connection: close`): minutes apart, a kept-alive
    // socket would only linger past a stop.
    const req = send({ ...target, method: 'GET', headers, agent: false }, (res) => onResponse(res));
    // One deadline for everything: a server that accepts and then trickles or stalls is cut here.
    const timer = setTimeout(() => fail(`no complete answer within ${o.timeoutMs / 1000} s`), o.timeoutMs);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code ? `${err.code}` : 'connection failed'));
    req.end();

    function onResponse(res: IncomingMessage): void {
      const next: MapValidators = {
        etag: headerText(res.headers.etag) ?? null,
        lastModified: headerText(res.headers['last-modified']) ?? null,
      };
      if (res.statusCode === 304) {
        res.resume();
        // A 304 may omit the validators; the ones we sent still describe what we hold.
        finish(null, { status: 'not-modified', validators: { etag: next.etag ?? validators.etag, lastModified: next.lastModified ?? validators.lastModified } });
        return;
      }
      if (res.statusCode !== 200) {
        res.resume();
        fail(`HTTP ${res.statusCode ?? '?'}`);
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > o.maxBytes) {
        fail(`body of ${declared} bytes is over the ${o.maxBytes}-byte bound`);
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (length > o.maxBytes) fail(`body is over the ${o.maxBytes}-byte bound`);
        else chunks.push(chunk);
      });
      res.on('aborted', () => fail('the server closed the connection mid-body'));
      res.on('error', () => fail('the server closed the connection mid-body'));
      res.on('end', () => {
        if (!res.complete) fail('the server closed the connection mid-body');
        else finish(null, { status: 'modified', body: Buffer.concat(chunks, length).toString('utf8'), validators: next });
      });
    }
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
