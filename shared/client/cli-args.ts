/** Pure argument parsing for the fuzzy CLI (cli.ts): argv in, a validated command or a CliUsageError out. */
import { parseArgs } from 'node:util';
import { FLAG_MAX, I32_MAX, I32_MIN, isDigestHex, isU64Decimal } from '../api/formats.js';
import { SHINGLE_COUNT } from '../protocol/constants.js';
import { parseServerAddress, type ServerAddress } from './server-address.js';

export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export type CliCommand =
  | { kind: 'check'; digest: string; shingles: bigint[] | null }
  | { kind: 'add'; digest: string; flag: number; weight: number; shingles: bigint[] | null }
  | { kind: 'del'; digest: string; flag: number }
  | { kind: 'stat' }
  | { kind: 'ping'; value: number }
  | { kind: 'help' };

export interface CliOptions {
  server: ServerAddress;
  json: boolean;
  /** Server public key: requests are encrypted when set. */
  key?: string;
  timeoutMs: number;
  retries: number;
  version: number;
}

export interface ParsedCli {
  command: CliCommand;
  options: CliOptions;
}

export const USAGE = `usage: fuzzyd-cli <command> [options]

commands:
  check <hexdigest> [--shingles S]             look a digest up
  add <hexdigest> --flag N [--weight W] [--shingles S]
                                               store a digest (weight defaults to 1, as rspamc's)
  del <hexdigest> [--flag N]                   delete a digest (any flag)
  stat                                         number of stored hashes
  ping [value]                                 round trip (fuzzyd and rspamd >= 3.8 only)

options:
  -s, --server host:port   default 127.0.0.1:11335; IPv6 as [::1]:11335
      --shingles S         32 comma-separated unsigned 64-bit decimals
  -f, --flag N             0..255
  -w, --weight W           signed 32-bit (negative: --weight=-5)
  -k, --key PUBKEY         server public key (zbase32 or hex): encrypt requests
  -t, --timeout MS         per attempt, default 1000
      --retries N          retransmissions, default 2
      --proto 3|4|5        protocol version, default 4; 5 asks for rspamd 4.x's multi-flag replies
      --json               machine-readable output
  -h, --help

exit codes: 0 answered, 1 bad input, 2 no answer, 3 the server refused (401/403/415/503/error value)`;

const OPTIONS = {
  server: { type: 'string', short: 's' },
  shingles: { type: 'string' },
  flag: { type: 'string', short: 'f' },
  weight: { type: 'string', short: 'w' },
  key: { type: 'string', short: 'k' },
  timeout: { type: 'string', short: 't' },
  retries: { type: 'string' },
  proto: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which per-command options each command takes; anything else is an error rather than silently ignored. */
const COMMAND_OPTIONS: Record<string, readonly string[]> = {
  check: ['shingles'],
  add: ['flag', 'weight', 'shingles'],
  del: ['flag'],
  stat: [],
  ping: [],
};
const COMMAND_SPECIFIC = ['shingles', 'flag', 'weight'];

export function parseCliArgs(argv: readonly string[]): ParsedCli {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
  const { values: v, positionals: pos } = parsed;
  const options: CliOptions = {
    server: wrapInput(() => parseServerAddress(v.server ?? '127.0.0.1')),
    json: v.json ?? false,
    key: v.key,
    timeoutMs: v.timeout === undefined ? 1000 : parseInteger('--timeout', v.timeout, 1, 600_000),
    retries: v.retries === undefined ? 2 : parseInteger('--retries', v.retries, 0, 100),
    version: v.proto === undefined ? 4 : parseInteger('--proto', v.proto, 3, 5),
  };
  if (v.help || pos.length === 0) return { command: { kind: 'help' }, options };

  const [name, ...args] = pos;
  const allowed = COMMAND_OPTIONS[name];
  if (!allowed) throw new CliUsageError(`unknown command '${name}' (expected check, add, del, stat or ping)`);
  for (const opt of COMMAND_SPECIFIC) {
    if (v[opt as keyof typeof v] !== undefined && !allowed.includes(opt)) throw new CliUsageError(`${name} does not take --${opt}`);
  }
  const expectArgs = (n: number, what: string): void => {
    if (args.length > n) throw new CliUsageError(`${name}: unexpected argument '${args[n]}'`);
    if (args.length < n) throw new CliUsageError(`${name}: missing ${what}`);
  };
  const shingles = v.shingles === undefined ? null : parseShingles(v.shingles);

  switch (name) {
    case 'check':
      expectArgs(1, '<hexdigest>');
      return { command: { kind: 'check', digest: parseDigest(args[0]), shingles }, options };
    case 'add':
      expectArgs(1, '<hexdigest>');
      if (v.flag === undefined) throw new CliUsageError('add: --flag is required');
      return {
        command: {
          kind: 'add',
          digest: parseDigest(args[0]),
          flag: parseFlag(v.flag),
          weight: v.weight === undefined ? 1 : parseInteger('--weight', v.weight, I32_MIN, I32_MAX),
          shingles,
        },
        options,
      };
    case 'del':
      expectArgs(1, '<hexdigest>');
      return { command: { kind: 'del', digest: parseDigest(args[0]), flag: v.flag === undefined ? 0 : parseFlag(v.flag) }, options };
    case 'stat':
      expectArgs(0, '');
      return { command: { kind: 'stat' }, options };
    default:
      if (args.length > 1) throw new CliUsageError(`ping: unexpected argument '${args[1]}'`);
      return {
        command: { kind: 'ping', value: args.length ? parseInteger('ping value', args[0], I32_MIN, I32_MAX) : 0 },
        options,
      };
  }
}

export function parseDigest(text: string): string {
  if (!isDigestHex(text)) {
    throw new CliUsageError(`digest must be 128 hex characters (64 bytes), got ${text.length} character(s)`);
  }
  return text.toLowerCase();
}

export function parseFlag(text: string): number {
  return parseInteger('--flag', text, 0, FLAG_MAX);
}

export function parseShingles(text: string): bigint[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== SHINGLE_COUNT) throw new CliUsageError(`--shingles needs ${SHINGLE_COUNT} values, got ${parts.length}`);
  return parts.map((p, i) => {
    if (!isU64Decimal(p)) throw new CliUsageError(`--shingles value ${i + 1} ('${p}') is not an unsigned 64-bit decimal`);
    return BigInt(p);
  });
}

function parseInteger(what: string, text: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new CliUsageError(`${what} must be an integer ${min}..${max}, got '${text}'`);
  return n;
}

function wrapInput<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new CliUsageError((err as Error).message);
  }
}
