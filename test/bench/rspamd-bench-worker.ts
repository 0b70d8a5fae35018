/**
 * rspamd 3.4's fuzzy worker for the benchmark. test/helpers/rspamd-fuzzy-worker.ts starts the same worker for the
 * interop tests, but its `sync()` gives up after 15 s and its `stop()` always applies the queue first: applying a
 * benchmark's worth of queued WRITEs takes minutes (~2.2k shingled WRITEs/s), so the benchmark needs an untimed sync
 * it can time, and a stop that throws the queue away. The process plumbing is the helpers' (rspamd-instance.ts).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { freeUdpPort } from '../helpers/ports.js';
import {
  chownForRspamd,
  createRspamdDirs,
  liveGroupMembers,
  RSPAMADM_BIN,
  spawnRspamd,
  stopRspamd,
  waitUntil,
} from '../helpers/rspamd-instance.js';
import { HOST_RSPAMD } from '../helpers/rspamd-generation.js';
import { fuzzyWorkerConfig } from '../helpers/rspamd-fuzzy-worker.js';
import { udpExchange } from '../helpers/udp-exchange.js';
import { onCleanup } from './bench-cleanup.js';

export interface BenchRspamdOptions {
  /** The SQLite file to serve; its directory is handed to `_rspamd` when we run as root. */
  dbPath?: string;
  /** Serve this Redis (rspamd's Redis backend, prefix `fuzzy`) instead of a SQLite file. */
  redisUrl?: string;
  /** rspamd's `sync` (queue flush interval), e.g. "60s" (its default) or "0.2s". */
  sync: string;
  /**
   * The worker section's `count`: how many fuzzy worker processes share the port (SO_REUSEPORT, spread by the
   * kernel by client address and port). Default 1.
   */
  count?: number;
}

export interface BenchRspamd {
  port: number;
  sync: string;
  count: number;
  /** Every process of the instance (main + fuzzy worker), for CPU accounting. */
  pids(): number[];
  /** `rspamadm control fuzzy_sync`, without a time limit; resolves with how long the command took (ms). */
  syncNow(): Promise<number>;
  /** Kills the instance without applying its queue (the data is thrown away anyway). */
  kill(): Promise<void>;
}

/** A plain v4 STAT: needs no permission, changes nothing, and any 96-byte answer means the worker serves. */
function statDatagram(): Buffer {
  const request = Buffer.alloc(76);
  request[0] = 4;
  request[1] = 3;
  request.writeUInt32LE(0x5eed, 8);
  return request;
}

export async function startBenchRspamd(opts: BenchRspamdOptions): Promise<BenchRspamd> {
  const dirs = await createRspamdDirs('fuzzyd-bench-rspamd');
  const port = await freeUdpPort();
  const controlSocket = join(dirs.run, 'rspamd.sock');
  const logPath = join(dirs.log, 'rspamd.log');
  // warning, not info: the worker logs per flush, and nothing else is of interest here
  const count = opts.count ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new Error(`rspamd worker count must be a positive integer, not ${count}`);
  const config = fuzzyWorkerConfig({
    dirs,
    port,
    logPath,
    controlSocket,
    ...(opts.redisUrl ? { backend: 'redis' as const, redisUrl: opts.redisUrl } : { backend: 'sqlite' as const, dbPath: opts.dbPath }),
    sync: opts.sync,
    logLevel: 'warning',
    count,
  });
  await writeFile(join(dirs.root, 'rspamd-fuzzy.conf'), config);
  chownForRspamd(HOST_RSPAMD, dirs.root, ...(opts.dbPath ? [dirname(opts.dbPath)] : []));
  const run = spawnRspamd({ configPath: join(dirs.root, 'rspamd-fuzzy.conf'), dirs, logPath });
  let killed = false;
  const kill = async (): Promise<void> => {
    if (killed) return;
    killed = true;
    // No grace: on SIGTERM the worker would first apply its whole queue.
    await stopRspamd(run, 0);
    await rm(dirs.root, { recursive: true, force: true });
  };
  const forget = onCleanup(`rspamd fuzzy worker on udp ${port}`, kill);
  try {
    await waitUntil(run, `rspamd's fuzzy worker on udp ${port}`, 60_000, async () => {
      const reply = await udpExchange(statDatagram(), port, { timeoutMs: 300 });
      return reply !== null && reply.length === 96;
    });
    // With count > 1 one answering worker is not all of them: wait until every one is running, so none binds its
    // socket in the middle of a measurement.
    if (count > 1) {
      await waitUntil(run, `${count} fuzzy workers on udp ${port}`, 60_000, async () => fuzzyWorkers(run.pid) >= count);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } catch (err) {
    await kill();
    forget();
    throw err;
  }
  return {
    port,
    sync: opts.sync,
    count,
    pids: () => liveGroupMembers(run.pid),
    syncNow: () =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        // rspamadm's own I/O timeout is 1 s by default; the flush may take minutes
        const args = ['control', '-t', '900', '-s', controlSocket, 'fuzzy_sync'];
        execFile(RSPAMADM_BIN, args, { timeout: 0 }, (err, stdout, stderr) => {
          if (err) reject(new Error(`rspamadm control fuzzy_sync failed: ${err.message}\n${stdout}${stderr}`));
          else resolve(performance.now() - started);
        });
      }),
    kill: async () => {
      await kill();
      forget();
    },
  };
}

/** The instance's fuzzy worker processes (its group also holds the main process and hs_helper), by process title. */
function fuzzyWorkers(pgid: number): number {
  let n = 0;
  for (const pid of liveGroupMembers(pgid)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('rspamd: fuzzy process')) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}
