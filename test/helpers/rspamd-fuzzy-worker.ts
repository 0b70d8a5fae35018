/**
 * rspamd 3.4's own fuzzy storage worker, as a reference peer: it writes a `fuzzy.db` fuzzyd must read, serves a file
 * fuzzyd wrote, and is the baseline for the benchmark. The config holds only options, logging and worker "fuzzy"
 * (docs/spec/running-rspamd.md, fuzzy-storage.md §5).
 */
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { freeUdpPort } from './ports.js';
import {
  chownForRspamd,
  createRspamdDirs,
  type RspamdDirs,
  DEAD_DNS,
  FatalStartError,
  RSPAMADM_BIN,
  spawnRspamd,
  stopRspamd,
  waitUntil,
} from './rspamd-instance.js';
import { HOST_RSPAMD, type RspamdGeneration, rspamdCommand } from './rspamd-generation.js';

export interface FuzzyWorkerOptions {
  /** Which rspamd's fuzzy worker; the host's 3.4 by default. */
  generation?: RspamdGeneration;
  /** UDP port; a free one when absent. */
  port?: number;
  /** The address it binds, default 127.0.0.1 (0.0.0.0 for clients on another address; probed on 127.0.0.1). */
  host?: string;
  backend: 'sqlite' | 'redis';
  /** SQLite file. Defaults to `<private dir>/db/fuzzy.db`. A given file and its directory are handed to `_rspamd`. */
  dbPath?: string;
  /** `redis://host:port[/db]`, for the redis backend. */
  redisUrl?: string;
  /** Redis key prefix (rspamd's `prefix`, default "fuzzy"). */
  redisPrefix?: string;
  /** How often the worker flushes its update queue (rspamd's `sync`). */
  sync?: string;
  allowUpdate?: string[];
  expire?: string;
  /** Extra lines for the worker block, e.g. `keypair { ... }` or `skip_hashes = ...`. */
  extraWorkerConfig?: string;
}

export interface RspamdFuzzyWorker {
  host: string;
  port: number;
  /** The SQLite file (sqlite backend), else undefined. */
  dbPath: string | undefined;
  dir: string;
  logPath: string;
  /** `rspamadm control fuzzy_sync`: applies the queued updates now. */
  sync(): Promise<void>;
  /** `rspamadm control fuzzystat`, parsed. */
  fuzzyStat(): Promise<Record<string, unknown>>;
  /** Flushes the queue and stops every process of this instance; the private dir (and the db) stays. */
  stop(): Promise<void>;
  /** stop(), then delete the private directory. */
  remove(): Promise<void>;
}

function redisServerConfig(url: string): string[] {
  const parsed = new URL(url);
  const lines = [`servers = "${parsed.hostname}:${parsed.port || '6379'}";`];
  const db = parsed.pathname.replace(/^\//, '');
  if (db) lines.push(`db = "${db}";`);
  if (parsed.password) lines.push(`password = "${decodeURIComponent(parsed.password)}";`);
  return lines;
}

function rspamadmControl(gen: RspamdGeneration, socket: string, command: string, json = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const [file, args] = rspamdCommand(gen, RSPAMADM_BIN, ['control', ...(json ? ['-j'] : []), '-s', socket, command]);
    execFile(file, args, { timeout: 15_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`rspamadm control ${command} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** A fresh server keypair from `rspamadm keypair -u` (zbase32, the form worker configs and fuzzy rules take). */
export function rspamdKeypair(): Promise<{ pubkey: string; privkey: string }> {
  return new Promise((resolve, reject) => {
    execFile(RSPAMADM_BIN, ['keypair', '-u'], { timeout: 15_000 }, (err, stdout) => {
      const pubkey = /pubkey = "([^"]+)"/.exec(stdout)?.[1];
      const privkey = /privkey = "([^"]+)"/.exec(stdout)?.[1];
      if (err || !pubkey || !privkey) reject(new Error(`rspamadm keypair failed: ${err?.message ?? stdout}`));
      else resolve({ pubkey, privkey });
    });
  });
}

/** Any reply to a plain v4 STAT (76 bytes, cmd 3; needs no permission and changes nothing) means the worker is up. */
function statAnswered(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const request = Buffer.alloc(76);
    request[0] = 4;
    request[1] = 3;
    request.writeUInt32LE(0x5eed, 8);
    const timer = setTimeout(() => finish(false), 300);
    function finish(ok: boolean): void {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    }
    socket.once('message', (reply) => finish(reply.length === 96 && reply.readUInt32LE(8) === 0x5eed));
    socket.once('error', () => finish(false));
    socket.send(request, port, '127.0.0.1');
  });
}

/**
 * As root the worker runs as `_rspamd`, so every directory above the database must let others through (mkdtemp makes
 * 0700 directories): say so plainly instead of letting the worker die with "Permission denied".
 */
function assertReachableByRspamd(dir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let d = dirname(dir); d !== dirname(d); d = dirname(d)) {
    const mode = statSync(d).mode & 0o777;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `rspamd's fuzzy worker runs as _rspamd and cannot traverse ${d} (mode ${mode.toString(8)}): ` +
          'chmod it o+x or use another directory',
      );
    }
  }
}

export interface FuzzyWorkerConfigInput extends Omit<FuzzyWorkerOptions, 'port'> {
  dirs: RspamdDirs;
  port: number;
  logPath: string;
  controlSocket: string;
  /** Default `info`; a benchmark may want less. */
  logLevel?: string;
  /** The worker block's `count`: fuzzy processes sharing the port. Default 1. */
  count?: number;
}

/** The complete config of a standalone rspamd 3.4 fuzzy worker: only options, logging and the worker block. */
export function fuzzyWorkerConfig(c: FuzzyWorkerConfigInput): string {
  const backendLines =
    c.backend === 'sqlite'
      ? ['backend = "sqlite";', `hashfile = "${c.dbPath}";`]
      : [
          'backend = "redis";',
          ...redisServerConfig(c.redisUrl ?? 'redis://127.0.0.1:6379'),
          ...(c.redisPrefix ? [`prefix = "${c.redisPrefix}";`] : []),
        ];
  return [
    'options {',
    `  pidfile = "${join(c.dirs.run, 'rspamd.pid')}";`,
    `  control_socket = "${c.controlSocket} mode=0600";`,
    `  url_tld = "${c.dirs.tldFile}";`,
    '  disable_hyperscan = true;',
    // Keeps hs_helper away from the system-wide /var/lib/rspamd (it deletes "stale" files there).
    `  hs_cache_dir = "${c.dirs.db}/";`,
    `  dns { nameserver = ["${DEAD_DNS}"]; }`,
    '}',
    `logging { type = "file"; filename = "${c.logPath}"; level = "${c.logLevel ?? 'info'}"; }`,
    'worker "fuzzy" {',
    `  bind_socket = "${c.host ?? '127.0.0.1'}:${c.port}";`,
    `  count = ${c.count ?? 1};`,
    ...backendLines.map((line) => `  ${line}`),
    `  expire = ${c.expire ?? '90d'};`,
    // An empty list leaves allow_update unset: then keys decide writes (access-controls.md §1.2).
    (c.allowUpdate ?? ['127.0.0.1']).length > 0
      ? `  allow_update = [${(c.allowUpdate ?? ['127.0.0.1']).map((ip) => `"${ip}"`).join(', ')}];`
      : '',
    `  sync = ${c.sync ?? '60s'};`,
    c.extraWorkerConfig ?? '',
    '}',
  ].join('\n');
}

export async function startRspamdFuzzyWorker(opts: FuzzyWorkerOptions): Promise<RspamdFuzzyWorker> {
  const dirs = await createRspamdDirs('fuzzyd-rspamd-fuzzy');
  const port = opts.port ?? (await freeUdpPort());
  const dbPath = opts.backend === 'sqlite' ? (opts.dbPath ?? join(dirs.db, 'fuzzy.db')) : undefined;
  const controlSocket = join(dirs.run, 'rspamd.sock');
  const logPath = join(dirs.log, 'rspamd.log');

  const config = fuzzyWorkerConfig({ dirs, port, logPath, controlSocket, ...opts, dbPath });
  const configPath = join(dirs.root, 'rspamd-fuzzy.conf');
  await writeFile(configPath, config);
  const gen = opts.generation ?? HOST_RSPAMD;
  chownForRspamd(gen, dirs.root);
  if (dbPath && opts.dbPath) {
    // The worker (not the root main process) opens the file and creates its -wal/-shm/.lock next to it.
    assertReachableByRspamd(dirname(dbPath));
    chownForRspamd(gen, dirname(dbPath));
  }

  const run = spawnRspamd({ generation: gen, configPath, dirs, logPath });
  try {
    await waitUntil(run, `the fuzzy worker on udp ${port}`, 60_000, async () => {
      // A worker that cannot open its backend exits while the main process lives on: fail now, not at the timeout.
      if (existsSync(logPath) && /start_fuzzy: cannot/.test(readFileSync(logPath, 'utf8'))) {
        throw new FatalStartError(`rspamd's fuzzy worker could not start\n${run.diagnostics()}`);
      }
      return statAnswered(port);
    });
  } catch (err) {
    await stopRspamd(run, 2000);
    await rm(dirs.root, { recursive: true, force: true });
    throw err;
  }

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // On SIGTERM the worker flushes once more and may then linger until the main process kills it (16 s later):
    // flush first, so the hard kill that follows loses nothing.
    if (!run.hasExited() && existsSync(controlSocket)) {
      await rspamadmControl(gen, controlSocket, 'fuzzy_sync').catch(() => undefined);
    }
    await stopRspamd(run, 3000);
  };

  return {
    host: '127.0.0.1',
    port,
    dbPath,
    dir: dirs.root,
    logPath,
    async sync() {
      await rspamadmControl(gen, controlSocket, 'fuzzy_sync');
    },
    async fuzzyStat() {
      const out = await rspamadmControl(gen, controlSocket, 'fuzzystat', true);
      return JSON.parse(out) as Record<string, unknown>;
    },
    stop,
    async remove() {
      await stop();
      await rm(dirs.root, { recursive: true, force: true });
    },
  };
}
