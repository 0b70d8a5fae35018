/**
 * `npm run bench [-- udp|neural|api ...] [--profile] [--quick] [--wait-quiet]`: runs the chosen sections (default: all), prints
 * them, and merges them into bench/results/latest.json and bench/results/BENCH.md (the UDP section also goes to
 * bench/results/udp.json). Sections not run this time keep their previous results in those files.
 *
 *   udp     fuzzyd vs rspamd 3.4's fuzzy worker over UDP (udp.bench.ts): the one-socket rows, the scaling rows
 *           (16 sockets; fuzzyd 1 and 2 UDP threads vs rspamd count 1 and 2) and the HTTP flood
 *   neural  neural training (neural-train.bench.ts, benchNeuralTraining)
 *   api     admin REST API (api.bench.ts, benchApi)
 *   startup start-up to the first CHECK hit and RSS at 100k and 1M hashes, fuzzyd and rspamd on the same file
 *           (startup.bench.ts; FUZZYD_BENCH_STARTUP_SIZES to choose sizes)
 *   --profile  also profile fuzzyd (--cpu-prof) during the UDP scenarios
 *   --quick    skip the optional UDP runs (durability normal, rspamd short sync)
 *   --wait-quiet  before each UDP server group, wait for other work on the machine to stop (up to 5 min)
 *   --only=PART[,PART]  run only these parts of the UDP section: `scaling` (the N-thread / count = N rows), `ratelimit`
 *           (CHECK plain with and without a never-refusing rate limit), `redis` (fuzzyd's Redis backend vs rspamd
 *           3.4's on one Redis, one and two instances, memory per hash: redis.bench.ts), `flood`
 *           (CHECK p99 during the unauthenticated-POST flood). Implies `udp`; the results are printed, not saved
 *           (bench/results keeps the last full run).
 *   --smoke    short runs (0.5 s warm-up + 2-3 s, fewer WRITEs) to check the harness works; printed, not saved.
 *
 *   e.g. a smoke test of the new rows: npm run bench -- --only=scaling,flood --smoke
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, wasInterrupted } from './bench-cleanup.js';
import {
  genericMarkdown,
  type MachineInfo,
  machineInfo,
  machineLine,
  udpConsoleTable,
  udpMarkdown,
  udpPartialConsole,
} from './bench-report.js';
import { benchUdp, benchUdpParts } from './udp.bench.js';
import { type UdpBenchResult, UDP_PARTS, type UdpPart, useSmokeDurations } from './udp-types.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RESULTS = join(REPO_ROOT, 'bench/results');
const SECTIONS = ['udp', 'neural', 'api', 'startup'] as const;
type Section = (typeof SECTIONS)[number];

interface SectionRecord {
  machine: MachineInfo;
  status: 'ok' | 'skipped' | 'failed';
  note?: string;
  result?: Record<string, unknown>;
}

interface Latest {
  updated: string;
  sections: Partial<Record<Section, SectionRecord>>;
}

/**
 * Colleagues' sections are optional modules: a missing one is skipped with a note. The specifier is a variable so
 * the compiler does not insist the file exists.
 */
async function optionalBench(file: string, exportName: string): Promise<(() => Promise<Record<string, unknown>>) | string> {
  const specifier = `./${file}`;
  if (!existsSync(fileURLToPath(new URL(specifier, import.meta.url)))) return `${file} is not built (no such module yet)`;
  const mod = (await import(specifier)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') return `${file} does not export ${exportName}()`;
  return fn as () => Promise<Record<string, unknown>>;
}

async function runSection(section: Section, flags: Set<string>): Promise<SectionRecord> {
  const machine = machineInfo();
  console.log(`\n=== ${section} (${machineLine(machine)})`);
  try {
    if (section === 'udp') {
      const result = await benchUdp({
        profile: flags.has('--profile'),
        quick: flags.has('--quick'),
        waitQuiet: flags.has('--wait-quiet'),
      });
      console.log(`\n${udpConsoleTable(result)}`);
      writeFileSync(join(RESULTS, 'udp.json'), `${JSON.stringify({ machine, ...result }, null, 1)}\n`);
      return { machine, status: 'ok', result: result as unknown as Record<string, unknown> };
    }
    const bench =
      section === 'neural'
        ? await optionalBench('neural-train.bench.js', 'benchNeuralTraining')
        : section === 'startup'
          ? await optionalBench('startup.bench.js', 'benchStartup')
          : await optionalBench('api.bench.js', 'benchApi');
    if (typeof bench === 'string') {
      console.log(`skipped: ${bench}`);
      return { machine, status: 'skipped', note: bench };
    }
    const result = await bench();
    console.log(JSON.stringify(result, null, 2));
    return { machine, status: 'ok', result };
  } catch (err) {
    if (!wasInterrupted()) console.error(`${section} failed: ${(err as Error).stack ?? err}`);
    return { machine, status: 'failed', note: (err as Error).message };
  } finally {
    await cleanupAll();
  }
}

function readLatest(): Latest {
  try {
    return JSON.parse(readFileSync(join(RESULTS, 'latest.json'), 'utf8')) as Latest;
  } catch {
    return { updated: '', sections: {} };
  }
}

function benchMarkdown(latest: Latest): string {
  const lines = [
    '# fuzzyd benchmark results',
    '',
    'Written by `npm run bench` (test/bench/run.ts); each section records the machine and load it ran on. ' +
      'Re-run one section with `npm run bench -- udp` (or `neural`, `api`).',
  ];
  const titles: Record<Section, string> = {
    udp: 'Fuzzy UDP plane: fuzzyd vs rspamd 3.4',
    neural: 'Neural training',
    api: 'Admin REST API',
    startup: 'Start-up at scale: fuzzyd (snapshot, background rebuild) vs rspamd 3.4 on the same file',
  };
  for (const section of SECTIONS) {
    const rec = latest.sections[section];
    if (!rec) continue;
    lines.push('', `## ${titles[section]}`, '', `Machine: ${machineLine(rec.machine)}.`, '');
    if (rec.status !== 'ok' || !rec.result) {
      lines.push(`_${rec.status}: ${rec.note ?? ''}_`);
      continue;
    }
    lines.push(section === 'udp' ? udpMarkdown(rec.result as unknown as UdpBenchResult) : genericMarkdown(rec.result));
  }
  return `${lines.join('\n')}\n`;
}

/** `--only=scaling,flood` and `--smoke`: print the chosen UDP parts, save nothing. */
async function runUnsaved(parts: UdpPart[] | null, flags: Set<string>): Promise<void> {
  const machine = machineInfo();
  console.log(`\n=== udp${parts ? ` (only ${parts.join(', ')})` : ''}${flags.has('--smoke') ? ', smoke durations' : ''} (${machineLine(machine)})`);
  console.log('not saved to bench/results: a partial or shortened run');
  const opts = { profile: flags.has('--profile'), quick: flags.has('--quick'), waitQuiet: flags.has('--wait-quiet') };
  try {
    if (parts) console.log(`\n${udpPartialConsole(await benchUdpParts(parts, opts))}`);
    else console.log(`\n${udpConsoleTable(await benchUdp(opts))}`);
  } catch (err) {
    if (!wasInterrupted()) console.error(`udp failed: ${(err as Error).stack ?? err}`);
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.find((a) => a.startsWith('--only='));
  const flags = new Set(args.filter((a) => a.startsWith('--') && a !== only));
  if (flags.has('--smoke')) useSmokeDurations();
  if (only || flags.has('--smoke')) {
    let parts: UdpPart[] | null = null;
    if (only) {
      const names = only.slice('--only='.length).split(',').filter(Boolean);
      const allowed = UDP_PARTS;
      const bad = names.filter((n) => !(allowed as readonly string[]).includes(n));
      if (bad.length > 0 || names.length === 0) {
        console.error(`--only: unknown part(s) ${bad.join(', ')}; choose from ${allowed.join(', ')}`);
        process.exit(2);
      }
      parts = allowed.filter((p) => names.includes(p));
    }
    const named = args.filter((a) => !a.startsWith('--'));
    if (named.some((a) => a !== 'udp')) {
      console.error('--only and --smoke run the udp section only');
      process.exit(2);
    }
    await runUnsaved(parts, flags);
    return;
  }
  const named = args.filter((a) => !a.startsWith('--'));
  const unknown = named.filter((a) => !(SECTIONS as readonly string[]).includes(a));
  if (unknown.length > 0) {
    console.error(`unknown section(s): ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
  const chosen = named.length > 0 ? SECTIONS.filter((s) => named.includes(s)) : [...SECTIONS];
  mkdirSync(RESULTS, { recursive: true });
  const latest = readLatest();
  let failed = false;
  for (const section of chosen) {
    const rec = await runSection(section, flags);
    // An interrupted section keeps the previous results on disk.
    if (wasInterrupted()) return;
    failed ||= rec.status === 'failed';
    latest.sections[section] = rec;
    latest.updated = new Date().toISOString();
    // Written after every section, so a later failure keeps what was measured.
    writeFileSync(join(RESULTS, 'latest.json'), `${JSON.stringify(latest, null, 1)}\n`);
    writeFileSync(join(RESULTS, 'BENCH.md'), benchMarkdown(latest));
  }
  console.log(`\nresults: ${join(RESULTS, 'latest.json')}, ${join(RESULTS, 'BENCH.md')}`);
  if (failed) process.exitCode = 1;
}

main().catch(async (err: Error) => {
  console.error(err);
  await cleanupAll();
  process.exit(1);
});
