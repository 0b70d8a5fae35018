/**
 * A flood of unauthenticated large HTTP bodies, run as its own process by the UDP benchmark (http-flood-process.ts)
 * while it measures CHECKs: `--connections` connections at a time, each POSTing `--path` with
 * `content-length: --body-bytes` and no Authorization header, streaming the body (`--chunk` bytes every
 * `--interval-ms`, never past what the kernel takes) and opening a new connection whenever the server closes one.
 * fuzzyd answers such a request 401 as soon as its headers are in and closes the connection, the body unread
 * (server/src/http/auth-before-body.ts), so the load is mostly connections coming and going.
 *
 *   node dist/test/bench/http-flood.js --port P [--host 127.0.0.1] [--connections 200] [--body-bytes 1048576]
 *        [--chunk 16384] [--interval-ms 10] [--path /api/v1/hashes]
 *
 * Writes "ready" on stderr once it has opened `--connections` connections; on SIGTERM (or stdin closing) stops and prints
 * one JSON object of counts on stdout (FloodStats in udp-types.ts).
 */
import { connect, type Socket } from 'node:net';

function parseArgs(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  const port = Number(a.port);
  const host = a.host ?? '127.0.0.1';
  const connections = Number(a.connections ?? 200);
  const bodyBytes = Number(a['body-bytes'] ?? 1_048_576);
  const chunkBytes = Number(a.chunk ?? 16_384);
  const intervalMs = Number(a['interval-ms'] ?? 10);
  const path = a.path ?? '/api/v1/hashes';
  if (!port) {
    process.stderr.write('http-flood: need --port\n');
    process.exit(2);
  }
  const head = Buffer.from(
    `POST ${path} HTTP/1.1\r\nhost: ${host}:${port}\r\ncontent-type: application/json\r\n` +
      `content-length: ${bodyBytes}\r\n\r\n`,
    'latin1',
  );
  // A JSON-looking body: what a client would send, though fuzzyd is not meant to read any of it.
  const chunk = Buffer.alloc(chunkBytes, 0x20);
  chunk[0] = 0x5b; // '['
  const stats = { connects: 0, statuses: {} as Record<string, number>, errors: 0, bodyBytesWritten: 0 };
  const started = performance.now();
  const live = new Set<Socket>();
  let stopping = false;
  let opened = 0;

  const open = (): void => {
    stats.connects++;
    let written = 0;
    let response = '';
    let status = false;
    let timer: NodeJS.Timeout | undefined;
    const socket = connect({ port, host });
    live.add(socket);
    socket.setNoDelay(true);
    const writeSome = (): void => {
      if (written >= bodyBytes || socket.destroyed || socket.writableNeedDrain) return;
      const n = Math.min(chunkBytes, bodyBytes - written);
      socket.write(n === chunkBytes ? chunk : chunk.subarray(0, n));
      written += n;
      stats.bodyBytesWritten += n;
    };
    socket.once('connect', () => {
      if (++opened === connections) process.stderr.write('ready\n');
      socket.write(head);
      writeSome();
      timer = setInterval(writeSome, intervalMs);
    });
    socket.on('data', (data: Buffer) => {
      if (status) return;
      response += data.toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(response);
      if (m) {
        status = true;
        stats.statuses[m[1]] = (stats.statuses[m[1]] ?? 0) + 1;
      } else if (response.length > 64) {
        status = true;
        stats.statuses.unparsed = (stats.statuses.unparsed ?? 0) + 1;
      }
    });
    socket.on('error', () => {
      if (!stopping) stats.errors++;
    });
    socket.once('close', () => {
      clearInterval(timer);
      live.delete(socket);
      if (!stopping) setImmediate(open);
    });
  };

  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const socket of live) socket.destroy();
    const durationS = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage();
    const result = {
      ...stats,
      durationS: Number(durationS.toFixed(3)),
      connectsPerS: Math.round(stats.connects / durationS),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();

  for (let i = 0; i < connections; i++) open();
}

main();
