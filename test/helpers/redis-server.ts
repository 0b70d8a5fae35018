import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A private redis-server for tests, on a random loopback port, so no test ever touches a shared Redis on 6379.
 * With FUZZYD_TEST_REDIS_URL set, that server is used instead and `stop()` leaves it running (tests that must stop
 * Redis check `owned`).
 */
export interface TestRedis {
  url: string;
  port: number;
  /** False when the server came from FUZZYD_TEST_REDIS_URL and must not be stopped. */
  owned: boolean;
  stop(): Promise<void>;
  /** kill -9: no shutdown save; only what the append-only file already holds survives. */
  crash(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that keeps its connections open and answers nothing (a hung or partitioned Redis). */
  pause(): void;
  resume(): void;
}

export interface RedisServerOptions {
  port?: number;
  readyTimeoutMs?: number;
  /**
   * Keep data in this directory, in an append-only file synced before every reply (appendfsync always), and leave it
   * there on stop, so a server restarted on it has everything it acknowledged. Default: nothing on disk.
   */
  persistDir?: string;
  /** A configuration file, given first (a Sentinel's, which it rewrites as it learns the topology). */
  configFile?: string;
  /** More arguments after the helper's own (`--replicaof host port`, `--sentinel`). */
  extraArgs?: string[];
}

const HOST = '127.0.0.1';
const children = new Set<ChildProcess>();
// A crashed test run must not leave servers behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export async function startRedisServer(options: RedisServerOptions = {}): Promise<TestRedis> {
  const external = process.env.FUZZYD_TEST_REDIS_URL;
  if (external && options.port === undefined) {
    const u = new URL(external);
    return { url: external, port: Number(u.port || 6379), owned: false, stop: async () => {}, crash: async () => {}, pause: () => {}, resume: () => {} };
  }
  const attempts = options.port === undefined ? 20 : 50;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    // `--port 0` is not supported by redis-server, so pick a port ourselves and retry when it is taken.
    const port = options.port ?? 30000 + Math.floor(Math.random() * 30000);
    if (!(await tcpPortFree(port))) {
      lastError = new Error(`port ${port} is busy`);
      if (options.port !== undefined) await sleep(100);
      continue;
    }
    try {
      return await launch(port, options.readyTimeoutMs ?? 10_000, options);
    } catch (err) {
      lastError = err;
    }
  }
  throw new Error(`could not start redis-server: ${(lastError as Error)?.message ?? lastError}`);
}

async function launch(port: number, readyTimeoutMs: number, options: RedisServerOptions): Promise<TestRedis> {
  const persistDir = options.persistDir;
  const dir = persistDir ?? mkdtempSync(join(tmpdir(), 'fuzzyd-redis-'));
  const persistence = persistDir ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const args = [...(options.configFile ? [options.configFile] : []), '--port', String(port), '--bind', HOST, '--save', '', ...persistence, '--daemonize', 'no', '--dir', dir, ...(options.extraArgs ?? [])];
  const child = spawn('redis-server', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', () => undefined);

  const cleanup = (): void => {
    children.delete(child);
    if (!persistDir) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    const state = await Promise.race([
      exited.then(() => 'exited' as const),
      ping(port).then((ok) => (ok ? 'ready' : 'wait')),
    ]);
    if (state === 'exited') {
      cleanup();
      throw new Error(`redis-server on port ${port} exited: ${output.trim().split('\n').pop() ?? ''}`);
    }
    if (state === 'ready') {
      let stopped: Promise<void> | null = null;
      const end = (signal: NodeJS.Signals): Promise<void> =>
        (stopped ??= (async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill(signal);
            child.kill('SIGCONT'); // a paused server acts on SIGTERM only once it runs again
          }
          await exited;
          cleanup();
        })());
      return {
        url: `redis://${HOST}:${port}`,
        port,
        owned: true,
        stop: () => end('SIGTERM'),
        crash: () => end('SIGKILL'),
        pause: () => void child.kill('SIGSTOP'),
        resume: () => void child.kill('SIGCONT'),
      };
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  await exited;
  cleanup();
  throw new Error(`redis-server on port ${port} did not answer PING within ${readyTimeoutMs} ms`);
}

/** Raw RESP PING, so the helper needs no Redis client. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      reply += d.toString();
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG'));
    });
  });
}

function tcpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
