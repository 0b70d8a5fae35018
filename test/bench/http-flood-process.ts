/** Starts http-flood.ts as a child process and collects its counts when stopped. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onCleanup } from './bench-cleanup.js';
import type { FloodStats } from './udp-types.js';

const FLOOD = fileURLToPath(new URL('./http-flood.js', import.meta.url));

export interface HttpFloodOptions {
  httpPort: number;
  connections: number;
  bodyBytes: number;
  chunkBytes: number;
  intervalMs: number;
}

export interface HttpFlood {
  pid: number;
  /** SIGTERM; resolves with the flood's counts. */
  stop(): Promise<FloodStats>;
}

/** Resolves once the flood has opened its first `connections` connections. */
export async function startHttpFlood(opts: HttpFloodOptions): Promise<HttpFlood> {
  if (!existsSync(FLOOD)) throw new Error(`${FLOOD} is missing: run 'npm run build:server' first`);
  const args = [
    FLOOD,
    '--port',
    String(opts.httpPort),
    '--connections',
    String(opts.connections),
    '--body-bytes',
    String(opts.bodyBytes),
    '--chunk',
    String(opts.chunkBytes),
    '--interval-ms',
    String(opts.intervalMs),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const forget = onCleanup(`http flood pid ${child.pid}`, () => {
    child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (/^ready$/m.test(stderr)) resolve();
      });
      child.once('error', reject);
      void exited.then((code) => reject(new Error(`http flood exited (${code}) before it was ready: ${stderr.trim()}`)));
      setTimeout(() => reject(new Error(`http flood not ready after 30 s: ${stderr.trim()}`)), 30_000).unref();
    });
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    forget();
    throw err;
  }
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      forget();
      try {
        return JSON.parse(stdout) as FloodStats;
      } catch {
        throw new Error(`http flood (exit ${code}) printed no counts: ${stdout}${stderr}`);
      }
    },
  };
}
