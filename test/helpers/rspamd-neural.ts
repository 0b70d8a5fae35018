/**
 * A real rspamd (3.4 on the host by default, or another generation's chroot) with only its neural and settings plugins, for interop tests of fuzzyd's neural manager. Follows
 * docs/spec/neural-notes.md §2: a private plugins dir holding symlinks to neural.lua and settings.lua only, a Lua
 * file of our own registering SPAM_SYMBOL1..14 (score 5) and HAM_SYMBOL1..14 (score −3), a complete config of our
 * own, and `rspamd -f` as the `_rspamd` user (or --insecure). Scans choose the symbols that fire with a per-request
 * `Settings` header.
 */
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freeTcpPort } from './ports.js';
import {
  chownForRspamd, createRspamdDirs, DEAD_DNS, RSPAMD_BIN, spawnRspamd, stopRspamd, waitUntil,
} from './rspamd-instance.js';
import { HOST_RSPAMD, type RspamdGeneration, unavailableReason } from './rspamd-generation.js';

export const RSPAMD_PLUGINS = '/usr/share/rspamd/plugins';
const CONTROLLER_INIT = '/usr/share/rspamd/rules/controller/init.lua';

export interface NeuralRspamdOptions {
  /** `host:port` of the Redis the neural plugin uses. */
  redis: string;
  /** The `neural { ... }` rule body (train block, watch_interval, ...), inserted as is. */
  rule: string;
  /** Rule name, `default` when absent. */
  ruleName?: string;
  /** Which rspamd; the host's 3.4 by default. The plugin files are that generation's own (paths inside its root). */
  generation?: RspamdGeneration;
}

export interface NeuralScanSymbol {
  score: number;
  options?: string[];
}

export interface NeuralScanResult {
  score: number;
  action: string;
  symbols: Record<string, NeuralScanSymbol>;
}

export interface NeuralRspamd {
  normalPort: number;
  controllerPort: number;
  logPath: string;
  /** POST /checkv2 with `Settings: <settings>` (rspamd's UCL syntax). */
  scan(message: string | Buffer, settings?: string): Promise<NeuralScanResult>;
  log(): string;
  /** Resolves with the first log line matching `pattern`, waiting up to `timeoutMs`. */
  waitForLog(pattern: RegExp, timeoutMs: number, what: string): Promise<string>;
  stop(): Promise<void>;
}

/** Our own test symbols: each fires whenever the settings enable it. */
export const TEST_SYMBOLS_LUA = `
-- fuzzyd interop: SPAM_SYMBOL1..14 (score 5) and HAM_SYMBOL1..14 (score -3); each fires when enabled
local function always() return true, 1.0 end
for i = 1, 14 do
  rspamd_config:register_symbol({ name = 'SPAM_SYMBOL' .. i, score = 5.0, group = 'fuzzyd_spam', callback = always })
  rspamd_config:register_symbol({ name = 'HAM_SYMBOL' .. i, score = -3.0, group = 'fuzzyd_ham', callback = always })
end
`;

function configText(dir: string, tldFile: string, normalPort: number, controllerPort: number, o: NeuralRspamdOptions): string {
  return `
options = {
  pidfile = "${dir}/run/rspamd.pid";
  filters = [];
  explicit_modules = ["settings"];
  disable_hyperscan = true;
  url_tld = "${tldFile}";
  dns { nameserver = ["${DEAD_DNS}"]; timeout = 1s; retransmits = 1; }
}
logging = { type = "file"; level = "info"; filename = "${dir}/log/rspamd.log"; debug_modules = ["neural"]; }
actions = { reject = 100500; add_header = 50500; }
worker "normal" { bind_socket = "127.0.0.1:${normalPort}"; count = 1; task_timeout = 10s; }
worker "controller" {
  bind_socket = "127.0.0.1:${controllerPort}"; count = 1; secure_ip = ["127.0.0.1"]; stats_path = "${dir}/run/stats.ucl";
}
modules { path = "${dir}/plugins"; }
redis { servers = "${o.redis}"; }
neural {
  rules {
    ${o.ruleName ?? 'default'} {
${o.rule}
    }
  }
  allow_local = true;
}
lua = "${dir}/syms.lua";
lua = "${CONTROLLER_INIT}";
`;
}

async function ping(port: number): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) });
  return res.ok && (await res.text()).trim() === 'pong';
}

export async function startNeuralRspamd(opts: NeuralRspamdOptions): Promise<NeuralRspamd> {
  const generation = opts.generation ?? HOST_RSPAMD;
  const dirs = await createRspamdDirs('fuzzyd-rspamd-neural');
  const normalPort = await freeTcpPort();
  const controllerPort = await freeTcpPort();
  const configPath = join(dirs.root, 'rspamd.conf');
  const logPath = join(dirs.log, 'rspamd.log');
  await writeFile(configPath, configText(dirs.root, dirs.tldFile, normalPort, controllerPort, opts));
  await writeFile(join(dirs.root, 'syms.lua'), TEST_SYMBOLS_LUA);
  // Hand the private dir to the workers' user BEFORE the symlinks exist: chown follows links, and the plugin files
  // are the system's, not ours.
  chownForRspamd(generation, dirs.root);
  const plugins = join(dirs.root, 'plugins');
  await mkdir(plugins, { mode: 0o755 });
  // Absolute link targets: inside a chroot they resolve to the chroot's own plugin files.
  for (const name of ['neural.lua', 'settings.lua']) await symlink(join(RSPAMD_PLUGINS, name), join(plugins, name));

  const run = spawnRspamd({ configPath, dirs, logPath, generation });
  const readLog = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const waitForLog = async (pattern: RegExp, timeoutMs: number, what: string): Promise<string> => {
    let found = '';
    await waitUntil(run, what, timeoutMs, async () => {
      found = readLog().split('\n').find((line) => pattern.test(line)) ?? '';
      return found !== '';
    });
    return found;
  };
  try {
    await waitUntil(run, 'the normal worker /ping', 30_000, () => ping(normalPort));
    await waitForLog(/use NN prefix for rule/, 15_000, "the neural plugin's 'use NN prefix' line");
    // A scanner stores vectors only after its first profile poll (spec §5.3 step 2); its debug line marks it.
    await waitForLog(/\(normal\).*process element/, 15_000, "the normal worker's first profile poll");
  } catch (err) {
    await stopRspamd(run, 2000);
    await rm(dirs.root, { recursive: true, force: true });
    throw err;
  }

  let stopped = false;
  return {
    normalPort,
    controllerPort,
    logPath,
    async scan(message, settings) {
      const headers: Record<string, string> = { IP: '192.0.2.10', Hostname: 'relay.mailbox.test', HELO: 'relay.mailbox.test' };
      if (settings) headers.Settings = settings;
      const body = typeof message === 'string' ? Buffer.from(message) : message;
      const res = await fetch(`http://127.0.0.1:${normalPort}/checkv2`, {
        method: 'POST', headers, body, signal: AbortSignal.timeout(15_000),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`scan: HTTP ${res.status} ${text}`);
      const json = JSON.parse(text) as { score?: number; action?: string; symbols?: Record<string, { score?: number; options?: unknown[] }> };
      const symbols: Record<string, NeuralScanSymbol> = {};
      for (const [name, s] of Object.entries(json.symbols ?? {})) {
        symbols[name] = { score: Number(s.score ?? 0), ...(Array.isArray(s.options) ? { options: s.options.map(String) } : {}) };
      }
      return { score: Number(json.score ?? 0), action: String(json.action ?? ''), symbols };
    },
    log: readLog,
    waitForLog,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopRspamd(run, 10_000);
      if (process.env.FUZZYD_KEEP_RSPAMD_DIRS !== '1') await rm(dirs.root, { recursive: true, force: true });
    },
  };
}

export function rspamdNeuralAvailable(generation: RspamdGeneration = HOST_RSPAMD): boolean {
  if (generation !== HOST_RSPAMD && unavailableReason(generation) !== null) return false;
  try {
    const root = generation.root;
    return statSync(join(root, RSPAMD_BIN)).isFile() && statSync(join(root, RSPAMD_PLUGINS, 'neural.lua')).isFile();
  } catch {
    return false;
  }
}
