import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkoutRoot } from './checkout-root.js';
import { freeTcpPort, freeUdpPort } from './ports.js';
import { tempDir } from './temp-dir.js';

const MAIN = join(checkoutRoot(import.meta.url), 'dist/server/src/main.js');

export interface FuzzydProcess {
  udpPort: number;
  httpPort: number;
  dbPath: string;
  pid: number;
  /** Everything the process printed (JSON log lines). */
  logs(): string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  kill9(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Runs the built server (`dist/`, made by `npm test`'s build step) as a real child process on free loopback ports
 * with a private database, and resolves once it logs "fuzzyd ready". `env` overrides any FUZZYD_* variable.
 */
export async function startFuzzyd(env: Record<string, string> = {}): Promise<FuzzydProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run 'npm run build:server' first`);
  const udpPort = env.FUZZYD_UDP ? Number(env.FUZZYD_UDP.split(',')[0].split(':').pop()) : await freeUdpPort();
  const httpPort = env.FUZZYD_HTTP ? Number(env.FUZZYD_HTTP.split(':').pop()) : await freeTcpPort();
  const dbPath = env.FUZZYD_DB ?? tempDir().file('fuzzy.db');
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      FUZZYD_UDP: `127.0.0.1:${udpPort}`,
      FUZZYD_HTTP: `127.0.0.1:${httpPort}`,
      FUZZYD_DB: dbPath,
      FUZZYD_ALLOW_UPDATE: '127.0.0.1,::1',
      FUZZYD_LOG_LEVEL: 'info',
      // No Redis unless a test brings its own: the default address is a shared Redis other suites write to.
      FUZZYD_REDIS_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line.includes('"fuzzyd ready"')) resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    exited.then((code) => reject(new Error(`fuzzyd exited with ${code} before it was ready:\n${lines.join('\n')}`)));
    setTimeout(() => reject(new Error(`fuzzyd not ready after 30 s:\n${lines.join('\n')}`)), 30_000).unref();
  });
  return {
    udpPort,
    httpPort,
    dbPath,
    pid: child.pid!,
    logs: () => lines,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
    kill9: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}
