/**
 * fuzzyd as a child process for the benchmark. test/helpers/fuzzyd-process.ts does the same for vitest, but it finds
 * `dist/server/src/main.js` relative to its own source file, which breaks once it is itself compiled into dist/; the
 * benchmark also needs extra node flags (--cpu-prof) and a kill that cannot hang.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freeTcpPort, freeUdpPort } from '../helpers/ports.js';
import { onCleanup } from './bench-cleanup.js';

/** dist/test/bench/ → dist/server/src/main.js */
const MAIN = fileURLToPath(new URL('../../server/src/main.js', import.meta.url));

export interface BenchFuzzydOptions {
  dbPath: string;
  durability: 'full' | 'normal';
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/x']. */
  nodeArgs?: string[];
  /**
   * FUZZYD_UDP_THREADS: UDP worker threads (0: UDP on the main thread). Absent: fuzzyd's default (one per core); a
   * FUZZYD_UDP_THREADS in our own environment is not passed on then, so "default" means the default.
   */
  udpThreads?: number;
  /** More FUZZYD_* settings for this run (e.g. rate limits). */
  env?: Record<string, string>;
}

export interface BenchFuzzyd {
  port: number;
  /** The admin HTTP port (/metrics). */
  httpPort: number;
  pid: number;
  /** Milliseconds from spawn to "fuzzyd ready" (includes rebuilding the in-memory index from the file). */
  startMs: number;
  /** The index load alone, from the "store loaded" line, when it came before "fuzzyd ready" (a snapshot); else null. */
  indexLoadMs: number | null;
  /**
   * Resolves at the "store loaded" line (a background rebuild logs it after "ready"): ms from spawn, and what became
   * of the snapshot ("used", or why not).
   */
  indexed: Promise<{ ms: number; snapshot: string }>;
  /** UDP threads fuzzyd says it runs, from its "fuzzyd ready" line (null if that does not say). */
  udpThreads: number | null;
  /** SIGTERM and wait (a CPU profile is written on this clean exit); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function startBenchFuzzyd(opts: BenchFuzzydOptions): Promise<BenchFuzzyd> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build:server' first`);
  const udpPort = await freeUdpPort();
  const httpPort = await freeTcpPort();
  const started = performance.now();
  const env = { ...process.env };
  delete env.FUZZYD_UDP_THREADS;
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), MAIN], {
    env: {
      ...env,
      ...(opts.udpThreads !== undefined ? { FUZZYD_UDP_THREADS: String(opts.udpThreads) } : {}),
      FUZZYD_UDP: `127.0.0.1:${udpPort}`,
      FUZZYD_HTTP: `127.0.0.1:${httpPort}`,
      FUZZYD_DB: opts.dbPath,
      FUZZYD_ALLOW_UPDATE: '127.0.0.1',
      // "fuzzyd ready" is an info line; nothing on the UDP path logs below warn, so info costs nothing here.
      FUZZYD_LOG_LEVEL: 'info',
      FUZZYD_DURABILITY: opts.durability,
      // Measured alone: no neural client polling the machine's Redis meanwhile.
      FUZZYD_REDIS_URL: '',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 15_000): Promise<void> => {
    if (!isRunning()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const forget = onCleanup(`fuzzyd pid ${child.pid}`, () => stop(3000));
  const output: string[] = [];
  let indexLoadMs: number | null = null;
  let markIndexed: (result: { ms: number; snapshot: string }) => void = () => {};
  const indexed = new Promise<{ ms: number; snapshot: string }>((resolve) => (markIndexed = resolve));
  let udpThreads: number | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (output.length < 200) output.push(line);
          if (line.includes('"store loaded"')) {
            indexLoadMs = parseNumberField(line, 'ms');
            markIndexed({ ms: Math.round(performance.now() - started), snapshot: String(JSON.parse(line).snapshot ?? '') });
          }
          if (line.includes('"fuzzyd ready"')) {
            udpThreads = parseNumberField(line, 'udpThreads');
            resolve();
          }
        }
      });
      child.stderr!.on('data', (chunk: Buffer) => output.length < 200 && output.push(chunk.toString()));
      void exited.then(() => reject(new Error(`fuzzyd exited before it was ready:\n${output.join('\n')}`)));
      setTimeout(() => reject(new Error(`fuzzyd not ready after 120 s:\n${output.join('\n')}`)), 120_000).unref();
    });
  } catch (err) {
    await stop(1000);
    forget();
    throw err;
  }
  return {
    port: udpPort,
    httpPort,
    pid: child.pid!,
    startMs: Math.round(performance.now() - started),
    indexLoadMs,
    indexed,
    udpThreads,
    stop: async (graceMs) => {
      await stop(graceMs);
      forget();
    },
  };
}

function parseNumberField(line: string, field: string): number | null {
  try {
    const value = (JSON.parse(line) as Record<string, unknown>)[field];
    return typeof value === 'number' ? value : null;
  } catch {
    return null;
  }
}
