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
}

export interface BenchFuzzyd {
  port: number;
  /** The admin HTTP port (/metrics). */
  httpPort: number;
  pid: number;
  /** Milliseconds from spawn to "fuzzyd ready" (includes rebuilding the in-memory index from the file). */
  startMs: number;
  /** The index rebuild alone, from the "store loaded" line (null if it was not logged). */
  indexLoadMs: number | null;
  /** SIGTERM and wait (a CPU profile is written on this clean exit); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export async function startBenchFuzzyd(opts: BenchFuzzydOptions): Promise<BenchFuzzyd> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build:server' first`);
  const udpPort = await freeUdpPort();
  const httpPort = await freeTcpPort();
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), MAIN], {
    env: {
      ...process.env,
      FUZZYD_UDP: `127.0.0.1:${udpPort}`,
      FUZZYD_HTTP: `127.0.0.1:${httpPort}`,
      FUZZYD_DB: opts.dbPath,
      FUZZYD_ALLOW_UPDATE: '127.0.0.1',
      // "fuzzyd ready" is an info line; nothing on the UDP path logs below warn, so info costs nothing here.
      FUZZYD_LOG_LEVEL: 'info',
      FUZZYD_DURABILITY: opts.durability,
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
  try {
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (output.length < 200) output.push(line);
          if (line.includes('"store loaded"')) indexLoadMs = parseLoadMs(line);
          if (line.includes('"fuzzyd ready"')) resolve();
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
    stop: async (graceMs) => {
      await stop(graceMs);
      forget();
    },
  };
}

function parseLoadMs(line: string): number | null {
  try {
    const ms = (JSON.parse(line) as { ms?: unknown }).ms;
    return typeof ms === 'number' ? ms : null;
  } catch {
    return null;
  }
}
