/**
 * A real rspamd 3.4 scanner + controller for interop tests, whose fuzzy_check plugin talks to one storage of our
 * choosing (fuzzyd, or rspamd's own fuzzy worker). See docs/spec/running-rspamd.md.
 *
 * The first half of this file is the process plumbing shared with rspamd-fuzzy-worker.ts: a private directory owned by
 * the rspamd user, `rspamd -f` in its own process group, and a stop that leaves no worker behind.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { freeTcpPort } from './ports.js';
import {
  HOST_RSPAMD,
  type RspamdGeneration,
  rspamdCommand,
  rspamdUserIds,
  unavailableReason,
} from './rspamd-generation.js';

export const RSPAMD_BIN = '/usr/bin/rspamd';
export const RSPAMC_BIN = '/usr/bin/rspamc';
export const RSPAMADM_BIN = '/usr/bin/rspamadm';
const STOCK_CONFIG = '/etc/rspamd/rspamd.conf';

/** True when this generation of rspamd can run here; interop suites use it only to print a clear skip reason. */
export function rspamdAvailable(gen: RspamdGeneration = HOST_RSPAMD): boolean {
  return unavailableReason(gen) === null;
}

// ---------------------------------------------------------------------------------------------------------------
// Process plumbing

/** UDP port nobody listens on, for rspamd's resolver: lookups fail at once instead of leaving the machine. */
export const DEAD_DNS = '127.0.0.1:9';

/**
 * The stock public-suffix list takes rspamd ~12 s to compile at every start. Our test mails carry no URLs, so a tiny
 * list changes nothing in fuzzy hashing and brings startup down to about 1 s.
 */
const TINY_TLD_LIST = ['com', 'net', 'org', 'example', 'test', 'invalid', 'localhost'].join('\n') + '\n';

interface RspamdUser {
  uid: number;
  gid: number;
}

/** rspamd refuses to run workers as root: as root we drop to `_rspamd` (or fall back to --insecure). */
function rspamdUser(gen: RspamdGeneration): RspamdUser | null {
  if (process.getuid?.() !== 0) return null;
  const ids = rspamdUserIds(gen);
  return ids && Number.isInteger(ids.uid) && Number.isInteger(ids.gid) ? ids : null;
}

export function rspamdPrivilegeArgs(gen: RspamdGeneration = HOST_RSPAMD): string[] {
  if (process.getuid?.() !== 0) return [];
  return rspamdUser(gen) ? ['-u', '_rspamd', '-g', '_rspamd'] : ['--insecure'];
}

/**
 * Makes `paths` (recursively) owned by the user the generation's workers run as (a chroot has its own `_rspamd`).
 * A no-op when not root.
 */
export function chownForRspamd(gen: RspamdGeneration, ...paths: string[]): void {
  const user = rspamdUser(gen);
  if (!user) return;
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    chownSync(path, user.uid, user.gid);
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  for (const path of paths) walk(path);
}

export interface RspamdDirs {
  root: string;
  local: string;
  db: string;
  run: string;
  log: string;
  tldFile: string;
}

/** Under /tmp itself, not $TMPDIR: the chroots share exactly /tmp with the host. */
export async function createRspamdDirs(prefix: string): Promise<RspamdDirs> {
  const root = await mkdtemp(join('/tmp', `${prefix}-`));
  const dirs: RspamdDirs = {
    root,
    local: join(root, 'local'),
    db: join(root, 'db'),
    run: join(root, 'run'),
    log: join(root, 'log'),
    tldFile: join(root, 'tld.dat'),
  };
  const subdirs = [join(dirs.local, 'local.d'), join(dirs.local, 'override.d'), dirs.db, dirs.run, dirs.log];
  for (const dir of subdirs) await mkdir(dir, { recursive: true });
  await writeFile(dirs.tldFile, TINY_TLD_LIST);
  return dirs;
}

export interface RspamdRun {
  /** pid of the rspamd main process; also the id of its process group (it is spawned detached). */
  pid: number;
  dirs: RspamdDirs;
  logPath: string;
  child: ChildProcess;
  /** Kills the group if this test process dies in any way (even SIGKILL): it waits for EOF on a pipe from us. */
  reaper: ChildProcess;
  exited: Promise<void>;
  hasExited(): boolean;
  /** Last lines of the log and of stdout/stderr, for error messages. */
  diagnostics(): string;
}

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** A test runner that dies mid-suite must not leave rspamd workers holding ports (they use SO_REUSEPORT). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

export interface SpawnOptions {
  /** Which rspamd; the host's 3.4 by default. */
  generation?: RspamdGeneration;
  configPath: string;
  dirs: RspamdDirs;
  logPath: string;
  /** `--var NAME=value` pairs, e.g. LOCAL_CONFDIR for the stock config. */
  vars?: Record<string, string>;
}

export function spawnRspamd(opts: SpawnOptions): RspamdRun {
  const gen = opts.generation ?? HOST_RSPAMD;
  const args = ['-f', '-c', opts.configPath, ...rspamdPrivilegeArgs(gen)];
  for (const [name, value] of Object.entries(opts.vars ?? {})) args.push('--var', `${name}=${value}`);
  // chroot(8) execs rspamd, so the pid and process group stay those of rspamd's main process.
  const [file, argv] = rspamdCommand(gen, RSPAMD_BIN, args);
  const child = spawn(file, argv, { cwd: opts.dirs.root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // A failed spawn also emits 'error'; the missing pid below reports it.
  child.once('error', () => undefined);
  if (child.pid === undefined) throw new Error(`could not spawn rspamd ${gen.version}`);
  const pid = child.pid;
  installExitHook();
  liveGroups.add(pid);
  // vitest ends its workers with a signal, which skips 'exit' handlers; the pipe closes however we die.
  const reaper = spawn('/bin/sh', ['-c', `read _ignored; kill -9 -${pid} 2>/dev/null`], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  reaper.once('error', () => undefined);
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      resolve();
    });
  });
  return {
    pid,
    dirs: opts.dirs,
    logPath: opts.logPath,
    child,
    reaper,
    exited,
    hasExited: () => done,
    diagnostics: () => {
      let log = '';
      try {
        log = readFileSync(opts.logPath, 'utf8').split('\n').slice(-40).join('\n');
      } catch {
        log = '(no log file)';
      }
      return `rspamd output:\n${output}\nlog tail (${opts.logPath}):\n${log}`;
    },
  };
}

/** Processes of a group that still exist, zombies excluded (nobody may reap orphaned workers in a container). */
export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid && fields[0] !== 'Z') members.push(Number(entry));
    } catch {
      // the process went away while we looked
    }
  }
  return members;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM the main process and give it `graceMs` to take its workers down; then SIGKILL whatever is left of the group
 * and wait until every member is really gone, so the ports are free for the next server.
 */
export async function stopRspamd(run: RspamdRun, graceMs: number): Promise<void> {
  if (!run.hasExited()) {
    try {
      process.kill(run.pid, 'SIGTERM');
    } catch {
      // exited meanwhile
    }
    await Promise.race([run.exited, sleep(graceMs)]);
  }
  const deadline = Date.now() + 10_000;
  while (liveGroupMembers(run.pid).length > 0 || !run.hasExited()) {
    try {
      process.kill(-run.pid, 'SIGKILL');
    } catch {
      // group empty
    }
    if (Date.now() > deadline) {
      throw new Error(`rspamd group ${run.pid} still alive: ${liveGroupMembers(run.pid).join(',')}`);
    }
    await sleep(50);
  }
  liveGroups.delete(run.pid);
  // Its job is done; killing it (rather than letting it run `kill`) keeps it away from a reused process group id.
  run.reaper.kill('SIGKILL');
}

/** Thrown by a readiness probe that knows waiting longer is pointless. */
export class FatalStartError extends Error {
  override readonly name = 'FatalStartError';
}

/**
 * Waits until `probe` resolves true, failing early (with rspamd's diagnostics) if the main process dies or the probe
 * throws a FatalStartError; other probe errors just mean "not yet".
 */
export async function waitUntil(
  run: RspamdRun,
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (run.hasExited()) throw new Error(`rspamd exited before ${what}\n${run.diagnostics()}`);
    const ready = await probe().catch((err: unknown) => {
      if (err instanceof FatalStartError) throw err;
      return false;
    });
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${run.diagnostics()}`);
    await sleep(200);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Scanner + controller

export const DEFAULT_FUZZY_FLAGS: Readonly<Record<number, string>> = {
  1: 'FUZZY_DENIED',
  2: 'FUZZY_PROB',
  3: 'FUZZY_WHITE',
};
/** max_score per symbol as in the stock rule; anything else gets 20. */
const STOCK_MAX_SCORES: Readonly<Record<string, number>> = { FUZZY_DENIED: 20, FUZZY_PROB: 10, FUZZY_WHITE: 2 };
/** Name of the single fuzzy_check rule; /stat reports the storage's hash count under it. */
export const FUZZY_RULE_NAME = 'fuzzyd';

/** Modules that do DNS, HTTP or Redis (or fetch maps from maps.rspamd.com). fuzzy_check stays on. */
const NETWORK_MODULES = `
  antivirus arc asn aws_s3 bayes_expiry bimi clickhouse clustering dcc dkim dkim_signing dmarc dynamic_conf elastic
  emails external_relay external_services fuzzy_collect greylist hfilter history_redis ip_score maillist
  metadata_exporter metric_exporter mid mime_types multimap mx_check neural p0f phishing ratelimit rbl replies
  reputation rspamd_update spamassassin spamtrap spf surbl trie url_redirector whitelist
`.trim().split(/\s+/);

export interface ScannerOptions {
  /** Which rspamd scans and learns; the host's 3.4 by default. */
  generation?: RspamdGeneration;
  /** `host:port` of the fuzzy storage the rule talks to. */
  fuzzyServer: string;
  /** rspamd ≥ 3.14: talk to the storage over TCP (`tcp = true` in the rule). */
  tcp?: boolean;
  flags?: Record<number, string>;
  /** The storage's public key (zbase32); without it the rule speaks plain UDP. */
  encryptionKey?: string;
  /** Extra files under LOCAL_CONFDIR, e.g. `{ 'local.d/neural.conf': '...' }`; written last, so they win. */
  extraLocal?: Record<string, string>;
  /** Words a text part needs for shingles (rspamd's `min_length`). */
  minLength?: number;
  /** Compile the full public-suffix list (about 10 s more at startup); only needed for URL-heavy mails. */
  fullTldList?: boolean;
}

export interface ScanSymbol {
  score: number;
  options?: string[];
}

export interface ScanResult {
  symbols: Record<string, ScanSymbol>;
  score: number;
  action: string;
}

export interface LearnResult {
  /** Hex digests of the parts the controller sent to the storage. */
  hashes: string[];
}

export interface ScannerStat {
  /** Hash count per fuzzy rule, as the storage answered a STAT. */
  fuzzyHashes: Record<string, number>;
  raw: Record<string, unknown>;
}

export class RspamdHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body}`);
    this.name = 'RspamdHttpError';
  }
}

export interface RspamcResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RspamdScanner {
  normalPort: number;
  controllerPort: number;
  dir: string;
  logPath: string;
  /** POST /checkv2 to the normal worker; `ip` becomes the client IP (sent to the storage as the '4' extension). */
  scan(emlPath: string, opts?: { ip?: string }): Promise<ScanResult>;
  /** POST /fuzzyadd to the controller (headers Flag and Weight), like `rspamc fuzzy_add -f FLAG -w WEIGHT`. */
  fuzzyAdd(emlPath: string, flag: number, weight: number): Promise<LearnResult>;
  /** POST /fuzzydel to the controller (header Flag). */
  fuzzyDel(emlPath: string, flag: number): Promise<LearnResult>;
  /** POST /fuzzydelhash to the controller (headers Flag and Hash), like `rspamc fuzzy_delhash -f FLAG HEX`. */
  fuzzyDelHash(hexDigest: string, flag: number): Promise<void>;
  /** GET /stat on the controller; it sends a STAT to the storage each time. */
  stat(): Promise<ScannerStat>;
  /** The rspamc command line client; `controller` commands are fuzzy_add, fuzzy_del, fuzzy_delhash, stat. */
  rspamc(args: string[], worker?: 'normal' | 'controller'): Promise<RspamcResult>;
  /** Current length of the log, to read only what a later step wrote with `logSince`. */
  logMark(): number;
  logSince(mark: number): string;
  stop(): Promise<void>;
}

function scannerLocalFiles(
  opts: ScannerOptions,
  dirs: RspamdDirs,
  normalPort: number,
  controllerPort: number,
): Record<string, string> {
  const flags = opts.flags ?? DEFAULT_FUZZY_FLAGS;
  const fuzzyMap = Object.entries(flags)
    .map(([flag, symbol]) => {
      const maxScore = STOCK_MAX_SCORES[symbol] ?? 20;
      return `    ${symbol} { flag = ${Number(flag)}; max_score = ${maxScore}.0; }`;
    })
    .join('\n');
  const files: Record<string, string> = {
    'local.d/options.inc': [
      'disable_hyperscan = true;',
      opts.fullTldList ? '' : `url_tld = "${dirs.tldFile}";`,
      `dns { nameserver = ["${DEAD_DNS}"]; timeout = 0.2s; retransmits = 1; }`,
    ].join('\n'),
    'override.d/worker-normal.inc': `bind_socket = "127.0.0.1:${normalPort}";\ncount = 1;\n`,
    'override.d/worker-controller.inc': [
      `bind_socket = "127.0.0.1:${controllerPort}";`,
      'count = 1;',
      'password = "fuzzyd-interop";',
      'enable_password = "fuzzyd-interop";',
      // Loopback needs no password, so rspamc and fetch can learn without one.
      'secure_ip = ["127.0.0.1"];',
    ].join('\n'),
    'override.d/worker-proxy.inc': 'count = -1;\n',
    'override.d/worker-fuzzy.inc': 'count = -1;\n',
    // override.d replaces the stock rule (the encrypted public rspamd.com storage) instead of merging with it.
    'override.d/fuzzy_check.conf': [
      'min_bytes = 0;',
      'timeout = 1s;',
      'retransmits = 1;',
      `rule "${FUZZY_RULE_NAME}" {`,
      '  algorithm = "mumhash";',
      `  servers = "${opts.fuzzyServer}";`,
      opts.encryptionKey ? `  encryption_key = "${opts.encryptionKey}";` : '',
      opts.tcp ? '  tcp { enabled = true; }' : '',
      // rspamd 4.1.5 spins at start-up in rules/fuzzy_html_phishing.lua when a named rule with an encryption_key
      // leaves html_shingles unset (found here; not reported upstream yet). Setting the default explicitly avoids it.
      opts.generation?.multiFlag ? '  html_shingles = false;' : '',
      '  symbol = "FUZZY_UNKNOWN";',
      '  mime_types = ["*"];',
      '  max_score = 20.0;',
      '  read_only = false;',
      '  skip_unknown = true;',
      '  short_text_direct_hash = true;',
      `  min_length = ${opts.minLength ?? 16};`,
      '  min_bytes = 0;',
      '  fuzzy_map = {',
      fuzzyMap,
      '  }',
      '}',
    ].join('\n'),
  };
  for (const module of NETWORK_MODULES) files[`local.d/${module}.conf`] = 'enabled = false;\n';
  return { ...files, ...(opts.extraLocal ?? {}) };
}

async function ping(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) });
  return res.ok && (await res.text()).trim() === 'pong';
}

type Json = Record<string, unknown>;

async function postJson(
  url: string,
  headers: Record<string, string>,
  body: Buffer | undefined,
  what: string,
): Promise<Json> {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  if (!res.ok) throw new RspamdHttpError(res.status, text, what);
  return JSON.parse(text) as Record<string, unknown>;
}

function learnResult(json: Json): LearnResult {
  return { hashes: Array.isArray(json.hashes) ? json.hashes.map(String) : [] };
}

/** Starts a scanner (worker "normal") and a controller on free loopback ports; resolves once both answer /ping. */
export async function startRspamdScanner(opts: ScannerOptions): Promise<RspamdScanner> {
  const dirs = await createRspamdDirs('fuzzyd-rspamd-scanner');
  const normalPort = await freeTcpPort();
  const controllerPort = await freeTcpPort();
  for (const [name, text] of Object.entries(scannerLocalFiles(opts, dirs, normalPort, controllerPort))) {
    await mkdir(join(dirs.local, name, '..'), { recursive: true });
    await writeFile(join(dirs.local, name), text);
  }
  const gen = opts.generation ?? HOST_RSPAMD;
  chownForRspamd(gen, dirs.root);
  const logPath = join(dirs.log, 'rspamd.log');
  const run = spawnRspamd({
    generation: gen,
    configPath: STOCK_CONFIG,
    dirs,
    logPath,
    vars: { LOCAL_CONFDIR: dirs.local, DBDIR: dirs.db, RUNDIR: dirs.run, LOGDIR: dirs.log },
  });
  try {
    await waitUntil(run, 'the normal worker /ping', 60_000, () => ping(normalPort));
    await waitUntil(run, 'the controller /ping', 30_000, () => ping(controllerPort));
  } catch (err) {
    await stopRspamd(run, 2000);
    await rm(dirs.root, { recursive: true, force: true });
    throw err;
  }

  const normal = `http://127.0.0.1:${normalPort}`;
  const controller = `http://127.0.0.1:${controllerPort}`;
  let stopped = false;

  return {
    normalPort,
    controllerPort,
    dir: dirs.root,
    logPath,
    async scan(emlPath, scanOpts) {
      const headers: Record<string, string> = {
        IP: scanOpts?.ip ?? '192.0.2.5',
        // A known hostname spares the core's reverse-DNS lookup of the client IP.
        Hostname: 'relay.mailbox.test',
        HELO: 'relay.mailbox.test',
      };
      const json = await postJson(`${normal}/checkv2`, headers, await readFile(emlPath), `scan ${emlPath}`);
      const symbols: Record<string, ScanSymbol> = {};
      const rawSymbols = (json.symbols ?? {}) as Record<string, { score?: number; options?: unknown[] }>;
      for (const [name, raw] of Object.entries(rawSymbols)) {
        const options = Array.isArray(raw.options) ? { options: raw.options.map(String) } : {};
        symbols[name] = { score: Number(raw.score ?? 0), ...options };
      }
      return { symbols, score: Number(json.score ?? 0), action: String(json.action ?? '') };
    },
    async fuzzyAdd(emlPath, flag, weight) {
      const headers = { Flag: String(flag), Weight: String(weight) };
      const body = await readFile(emlPath);
      return learnResult(await postJson(`${controller}/fuzzyadd`, headers, body, `fuzzy_add ${emlPath}`));
    },
    async fuzzyDel(emlPath, flag) {
      const headers = { Flag: String(flag) };
      const body = await readFile(emlPath);
      return learnResult(await postJson(`${controller}/fuzzydel`, headers, body, `fuzzy_del ${emlPath}`));
    },
    async fuzzyDelHash(hexDigest, flag) {
      const headers = { Flag: String(flag), Hash: hexDigest };
      await postJson(`${controller}/fuzzydelhash`, headers, undefined, `fuzzy_delhash ${hexDigest}`);
    },
    async stat() {
      const res = await fetch(`${controller}/stat`, { signal: AbortSignal.timeout(15_000) });
      const text = await res.text();
      if (!res.ok) throw new RspamdHttpError(res.status, text, 'stat');
      const raw = JSON.parse(text) as Json;
      const fuzzyHashes: Record<string, number> = {};
      for (const [rule, count] of Object.entries((raw.fuzzy_hashes ?? {}) as Json)) fuzzyHashes[rule] = Number(count);
      return { fuzzyHashes, raw };
    },
    async rspamc(args, worker = 'normal') {
      const port = worker === 'normal' ? normalPort : controllerPort;
      // A chroot sees only /tmp of the host's files: message paths elsewhere are copied into this instance's dir.
      if (gen.root !== '/') {
        args = await Promise.all(
          args.map(async (arg, i) => {
            if (!arg.startsWith('/') || arg.startsWith('/tmp/') || !existsSync(arg)) return arg;
            const copy = join(dirs.root, `rspamc-arg-${i}-${basename(arg)}`);
            await writeFile(copy, await readFile(arg));
            return copy;
          }),
        );
      }
      return new Promise<RspamcResult>((resolve) => {
        const [file, argv] = rspamdCommand(gen, RSPAMC_BIN, ['-h', `127.0.0.1:${port}`, ...args]);
        execFile(file, argv, { timeout: 30_000 }, (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        });
      });
    },
    logMark() {
      try {
        return statSync(logPath).size;
      } catch {
        return 0;
      }
    },
    logSince(mark) {
      try {
        return readFileSync(logPath).subarray(mark).toString('utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopRspamd(run, 10_000);
      if (process.env.FUZZYD_KEEP_RSPAMD_DIRS !== '1') await rm(dirs.root, { recursive: true, force: true });
    },
  };
}
