/**
 * A real HTTP server (node:http on loopback) serving one rspamd map, as a map server would: an ETag and a
 * Last-Modified per version, 304 when the request's If-None-Match or If-Modified-Since names the current version.
 * It records every request's method and headers, and can be told to stall (accept, then never answer).
 */
import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { Socket } from 'node:net';

export interface MapRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** What the server answered: 200, 304, 404 (any other path), or 0 for a stalled request. */
  status: number;
}

export interface MapHttpServer {
  /** `http://127.0.0.1:PORT/keys.map` (with `user:password@` when `userinfo` was given). */
  url: string;
  port: number;
  requests: MapRequest[];
  /** Serves `body` from now on, as a new version (new ETag, Last-Modified one second later). */
  publish(body: string): void;
  /** Accept requests and never answer them (true), or answer again (false). */
  stall(on: boolean): void;
  close(): Promise<void>;
}

export async function startMapHttpServer(body: string, opts: { userinfo?: string; port?: number } = {}): Promise<MapHttpServer> {
  let current = body;
  let version = 0;
  // Whole seconds: HTTP dates have no finer unit.
  let modified = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
  let stalled = false;
  const requests: MapRequest[] = [];
  const sockets = new Set<Socket>();
  const etag = (): string => `"v${version}-${createHash('sha1').update(current).digest('hex').slice(0, 12)}"`;

  const server: Server = createServer((req, res) => {
    const record: MapRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, status: 0 };
    requests.push(record);
    if (stalled) return;
    if (req.url !== '/keys.map') {
      record.status = 404;
      res.writeHead(404).end('not found');
      return;
    }
    const headers = { etag: etag(), 'last-modified': modified.toUTCString(), 'content-type': 'text/plain' };
    const sinceOk = req.headers['if-modified-since'] && Date.parse(req.headers['if-modified-since']) >= modified.getTime();
    const etagOk = req.headers['if-none-match'] === headers.etag;
    if (req.headers['if-none-match'] ? etagOk : sinceOk) {
      record.status = 304;
      res.writeHead(304, headers).end();
      return;
    }
    record.status = 200;
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : current);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${opts.userinfo ? `${opts.userinfo}@` : ''}127.0.0.1:${port}/keys.map`,
    port,
    requests,
    publish(next) {
      current = next;
      version++;
      modified = new Date(modified.getTime() + 1000);
    },
    stall(on) {
      stalled = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
