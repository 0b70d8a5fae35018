/**
 * Runs the load generator as a separate process: the C one (loadgen.c, compiled here with `cc -O2`), or the Node one
 * (loadgen-node.ts) when there is no compiler. Both take the same options and print the same JSON.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkoutRoot } from '../helpers/checkout-root.js';
import { onCleanup } from './bench-cleanup.js';

const C_SOURCE = join(checkoutRoot(import.meta.url), 'test/bench/loadgen.c');
const NODE_GENERATOR = fileURLToPath(new URL('./loadgen-node.js', import.meta.url));

export interface LoadgenOptions {
  port: number;
  /** A request file written by bench-data.ts. */
  requests: string;
  mode: 'closed' | 'open';
  /** Closed loop: requests in flight (default 64). */
  inflight?: number;
  /** Open loop: offered requests per second. */
  rate?: number;
  /** Measure for this long (after `warmupS`)... */
  durationS?: number;
  warmupS?: number;
  /** ...or send exactly this many measured requests (after `warmupCount` unmeasured ones). */
  count?: number;
  warmupCount?: number;
  /** A request without a reply after this long is lost (no retransmits). Default 1000. */
  timeoutMs?: number;
  /** Fresh digest and shingles per send, derived from this seed: WRITEs that are all inserts. */
  uniqueSeed?: number;
  /** The version byte of every request (0x14 or 5: an rspamd 4.x client, answered with 144-byte replies). */
  version?: number;
  /**
   * Send from this many connected UDP sockets (source ports), request slot i on socket i % N (default 1). The kernel
   * spreads a SO_REUSEPORT server's sockets (fuzzyd's UDP threads, rspamd's `count` workers) by source port, so one
   * socket only ever reaches one of them. `inflight` stays the total.
   */
  sockets?: number;
}

export interface LoadgenResult {
  mode: 'closed' | 'open';
  inflight: number;
  offeredRps: number;
  sent: number;
  recordedSent: number;
  replies: number;
  lost: number;
  /** Replies whose tag matched nothing in flight (late replies to requests already counted lost). */
  stray: number;
  badLength: number;
  /** Replies whose content contradicts the request's expectation (see `outcomes` / `expected`). */
  unexpected: number;
  saturated: number;
  durationS: number;
  rps: number;
  latencyUs: { mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  /** Longest time without any reply during the measurement: a server that stops answering shows here. */
  maxGapMs: number;
  /** The generator's own CPU time (user + system) over its whole run. */
  cpuMs: number;
  outcomes: { exact: number; fuzzy: number; miss: number; ack: number; refused: number };
  expected: { exact: number; fuzzy: number; miss: number; ack: number };
  /** Hex digest of the last measured request (with uniqueSeed: the last WRITE sent). */
  lastDigest: string;
}

export interface Loadgen {
  kind: 'c' | 'node';
  run(opts: LoadgenOptions): Promise<LoadgenResult>;
}

/** Compiles loadgen.c into `workDir`; falls back to the Node generator when no C compiler works. */
export function prepareLoadgen(workDir: string): Loadgen {
  const binary = join(workDir, 'loadgen');
  for (const cc of ['cc', 'gcc', 'clang']) {
    try {
      execFileSync(cc, ['-O2', '-o', binary, C_SOURCE], { stdio: ['ignore', 'ignore', 'pipe'] });
      return { kind: 'c', run: (opts) => runProcess(binary, [], opts) };
    } catch {
      // try the next compiler
    }
  }
  if (!existsSync(NODE_GENERATOR)) throw new Error(`no C compiler and no ${NODE_GENERATOR}`);
  console.error('bench: no C compiler found; using the Node load generator (it may saturate before the server)');
  return { kind: 'node', run: (opts) => runProcess(process.execPath, [NODE_GENERATOR], opts) };
}

export function loadgenArgs(opts: LoadgenOptions): string[] {
  const args = ['--port', String(opts.port), '--requests', opts.requests, '--mode', opts.mode];
  const add = (name: string, v: number | undefined): void => {
    if (v !== undefined) args.push(name, String(v));
  };
  add('--inflight', opts.inflight);
  add('--rate', opts.rate);
  add('--duration', opts.durationS);
  add('--warmup', opts.warmupS);
  add('--count', opts.count);
  add('--warmup-count', opts.warmupCount);
  add('--timeout-ms', opts.timeoutMs);
  add('--unique-seed', opts.uniqueSeed);
  add('--version', opts.version);
  add('--sockets', opts.sockets);
  return args;
}

function runProcess(command: string, prefix: string[], opts: LoadgenOptions): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(command, [...prefix, ...loadgenArgs(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = onCleanup('load generator', () => {
      child.kill('SIGKILL');
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', (err) => {
      done();
      reject(err);
    });
    child.once('exit', (code, signal) => {
      done();
      if (code !== 0) {
        reject(new Error(`load generator exited with ${code ?? signal}: ${stderr.trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout) as LoadgenResult);
      } catch {
        reject(new Error(`load generator printed no JSON: ${stdout}${stderr}`));
      }
    });
  });
}
