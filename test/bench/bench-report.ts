/** Turns benchmark results into the console table, bench/results/*.json and bench/results/BENCH.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg, release } from 'node:os';
import type {
  FloodResult,
  Measurement,
  ScalingPair,
  ScalingResult,
  TARGETS,
  UdpBenchResult,
  UdpPartialResult,
  WriteMeasurement,
} from './udp-types.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  kernel: string;
  rspamd: string | null;
  /** 1/5/15-minute load averages when the section started: other work on the machine skews every figure. */
  loadAvg: number[];
  date: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux
  }
  let rspamd: string | null = null;
  try {
    rspamd = /version\s+(\S+)/i.exec(execFileSync('rspamd', ['--version'], { encoding: 'utf8' }))?.[1] ?? null;
  } catch {
    // not installed
  }
  return {
    cpus: availableParallelism(),
    cpuModel,
    node: process.version,
    kernel: release(),
    rspamd,
    loadAvg: loadavg().map((l) => Number(l.toFixed(2))),
    date: new Date().toISOString(),
  };
}

export function machineLine(m: MachineInfo): string {
  return (
    `${m.cpus} × ${m.cpuModel}, Node ${m.node}, Linux ${m.kernel}, rspamd ${m.rspamd ?? 'n/a'}, ` +
    `load average at start ${m.loadAvg.join(' / ')}, ${m.date}`
  );
}

// ---------------------------------------------------------------------------------------------------------------
// UDP tables

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (us: number): string => (us / 1000).toFixed(2);
const lat = (m: Measurement): string => `${ms(m.p50)} / ${ms(m.p99)} / ${ms(m.p999)}`;

interface Row {
  scenario: string;
  fz: Measurement | null;
  rs: Measurement | null;
  ratio: string;
  note: string;
}

function ratio(a: number, b: number): string {
  return b > 0 ? `${(a / b).toFixed(2)}×` : '';
}

function applyNote(fz: WriteMeasurement, rs: WriteMeasurement): string {
  const fuzzyd =
    fz.journalApplyMs === undefined
      ? ''
      : `fuzzyd acks after its journal commit; its ${int(fz.queued ?? 0)} WRITEs were in rspamd's tables ${(fz.journalApplyMs / 1000).toFixed(1)} s after the run; `;
  if (rs.applyMs === undefined) return `${fuzzyd}rspamd acks before storing`;
  const took = `${(rs.applyMs / 1000).toFixed(1)} s (${int(rs.applyRate ?? 0)}/s)`;
  return `${fuzzyd}rspamd acks before storing; applying its ${int(rs.queued ?? 0)} queued WRITEs took ${took}`;
}

/** "better of 2 runs: fuzzyd 61,000 / 64,000, rspamd 75,000 / 76,000 req/s" */
function runsNote(f: Measurement, r: Measurement): string {
  if (!f.runsRps || !r.runsRps) return '';
  const runs = (m: Measurement): string => (m.runsRps ?? []).map(int).join(' / ');
  return `better of ${f.runsRps.length} runs: fuzzyd ${runs(f)}, rspamd ${runs(r)} req/s`;
}

function mkRow(scenario: string, fz: Measurement | null, rs: Measurement | null, note = '', ratioText = ''): Row {
  return { scenario, fz, rs, ratio: ratioText, note };
}

function udpRows(r: UdpBenchResult): Row[] {
  const f = r.fuzzyd;
  const s = r.rspamd;
  const P = r.params;
  const rows: Row[] = [
    mkRow(
      'CHECK plain (½ hit, ½ miss)',
      f.checkPlain,
      s.checkPlain,
      runsNote(f.checkPlain, s.checkPlain),
      ratio(f.checkPlain.rps, s.checkPlain.rps),
    ),
    mkRow(
      'CHECK 32 shingles (⅓ exact, ⅓ shingle-only, ⅓ miss)',
      f.checkShingles,
      s.checkShingles,
      runsNote(f.checkShingles, s.checkShingles),
      ratio(f.checkShingles.rps, s.checkShingles.rps),
    ),
    mkRow(
      'WRITE plain (fuzzyd: ack after fsynced journal commit)',
      f.writePlain,
      s.writePlain,
      applyNote(f.writePlain, s.writePlain),
      ratio(f.writePlain.rps, s.writePlain.applyRate ?? 0),
    ),
    mkRow(
      'WRITE 32 shingles (fuzzyd: ack after fsynced journal commit)',
      f.writeShingles,
      s.writeShingles,
      applyNote(f.writeShingles, s.writeShingles),
      ratio(f.writeShingles.rps, s.writeShingles.applyRate ?? 0),
    ),
  ];
  if (f.multiFlag) {
    const v5 = '4.x client (version 5, 144-byte replies)';
    rows.push(
      mkRow(`CHECK plain, ${v5}`, f.multiFlag.checkPlain, null, ratio(f.multiFlag.checkPlain.rps, f.checkPlain.rps) + ' of the 3.x-client rate'),
      mkRow(`CHECK 32 shingles, ${v5}`, f.multiFlag.checkShingles, null, ratio(f.multiFlag.checkShingles.rps, f.checkShingles.rps) + ' of the 3.x-client rate'),
      mkRow(`WRITE plain, ${v5}`, f.multiFlag.writePlain, null, ratio(f.multiFlag.writePlain.rps, f.writePlain.rps) + ' of the 3.x-client rate'),
      mkRow(`WRITE 32 shingles, ${v5}`, f.multiFlag.writeShingles, null, ratio(f.multiFlag.writeShingles.rps, f.writeShingles.rps) + ' of the 3.x-client rate'),
    );
  }
  const noFsync = 'no fsync per commit';
  if (f.writePlainNormal) rows.push(mkRow('WRITE plain, durability normal', f.writePlainNormal, null, noFsync));
  if (f.writeShinglesNormal) rows.push(mkRow('WRITE 32 shingles, durability normal', f.writeShinglesNormal, null, noFsync));
  const gaps = `${f.mixed.checks.maxGapMs.toFixed(0)} ms vs ${s.mixed.checks.maxGapMs.toFixed(0)} ms`;
  const mixedChecks = `mixed: CHECK plain @${int(P.mixedCheckRate)}/s offered (rspamd sync ${P.rspamdDefaultSync})`;
  const mixedWrites = `mixed: WRITE 32 shingles streaming (${P.mixedWriteInflight} in flight)`;
  rows.push(
    mkRow(mixedChecks, f.mixed.checks, s.mixed.checks, `longest silence ${gaps}`),
    mkRow(mixedWrites, f.mixed.writes, s.mixed.writes, s.mixed.note),
  );
  const short = s.mixedShortSync;
  if (short) {
    const note = `rspamd longest silence ${short.checks.maxGapMs.toFixed(0)} ms`;
    rows.push(
      mkRow(`mixed: CHECK @${int(P.mixedCheckRate)}/s, rspamd sync ${P.rspamdShortSync}`, null, short.checks, note),
      mkRow(`mixed: WRITE stream, rspamd sync ${P.rspamdShortSync}`, null, short.writes),
    );
  }
  return rows;
}

const cpuCell = (m: Measurement): string => (m.cpu ? `${m.cpu.serverUsPerRequest} (${m.cpu.serverPct} %)` : '');
const cells = (m: Measurement | null): string[] =>
  m ? [int(m.rps), lat(m), String(m.lost), cpuCell(m)] : ['', '', '', ''];

/** Runs that other programs visibly disturbed: more than 30 % of a core went to neither server nor generator. */
function disturbed(rows: Row[]): string[] {
  const out: string[] = [];
  for (const row of rows) {
    for (const [who, m] of [['fuzzyd', row.fz], ['rspamd', row.rs]] as const) {
      if (m?.cpu && m.cpu.otherPct > 30) out.push(`${row.scenario} (${who}): ${m.cpu.otherPct} % of a core`);
    }
  }
  return out;
}

export function udpConsoleTable(r: UdpBenchResult): string {
  const header = [
    'scenario',
    'fuzzyd req/s',
    'p50/p99/p99.9 ms',
    'lost',
    'CPU µs/req',
    'rspamd req/s',
    'p50/p99/p99.9 ms',
    'lost',
    'CPU µs/req',
    'ratio',
  ];
  const body = udpRows(r).map((row) => [row.scenario, ...cells(row.fz), ...cells(row.rs), row.ratio]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cols: string[]): string =>
    cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)];
  lines.push('', 'notes:');
  for (const x of udpRows(r)) if (x.note) lines.push(`  ${x.scenario}: ${x.note}`);
  lines.push(...extrasConsole(r));
  lines.push(...verdictsConsole(r));
  for (const d of disturbed(udpRows(r))) lines.push(`  DISTURBED (CPU that went to other programs) ${d}`);
  return lines.join('\n');
}

function verdictsConsole(r: Pick<UdpBenchResult, 'verdicts' | 'warnings'>): string[] {
  const lines = ['', 'targets:'];
  for (const [name, v] of Object.entries(r.verdicts)) {
    lines.push(`  ${v.met ? 'MET ' : 'MISS'} ${name}: ${v.value} (target ${v.target})`);
  }
  for (const w of r.warnings) lines.push(`  WARNING ${w}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------------------------
// Scaling rows (fuzzyd N UDP threads vs rspamd count = N, many sockets) and the HTTP flood

interface Table {
  title: string;
  header: string[];
  /** Columns after the first are right-aligned. */
  rows: string[][];
  notes: string[];
}

const rpsP99 = (m: Measurement): string => `${int(m.rps)} (p99 ${ms(m.p99)})`;
const threads = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;

function scalingTable(s: ScalingResult, targets: typeof TARGETS, inflight: number): Table {
  const ns = s.runs.map((r) => r.n);
  const header = [
    'scenario',
    ...ns.map((n) => `fuzzyd ${threads(n)}`),
    ...ns.map((n) => `rspamd count ${n}`),
    ...ns.map((n) => `fuzzyd ÷ rspamd, N = ${n}`),
    `target (N = ${targets.scaledTargetN})`,
  ];
  const scenarios: [string, (run: ScalingResult['runs'][number]) => ScalingPair, number][] = [
    ['CHECK plain (½ hit, ½ miss)', (run) => run.checkPlain, targets.scaledCheckPlainVsRspamd],
    ['CHECK 32 shingles (⅓ exact, ⅓ shingle-only, ⅓ miss)', (run) => run.checkShingles, targets.scaledCheckShinglesVsRspamd],
  ];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const [name, pick, target] of scenarios) {
    const pairs = s.runs.map(pick);
    const judged = s.runs.find((r) => r.n === targets.scaledTargetN);
    const atTarget = judged ? pick(judged) : null;
    const met = atTarget && atTarget.rspamd.rps > 0 ? atTarget.fuzzyd.rps / atTarget.rspamd.rps >= target : null;
    rows.push([
      name,
      ...pairs.map((p) => rpsP99(p.fuzzyd)),
      ...pairs.map((p) => rpsP99(p.rspamd)),
      ...pairs.map((p) => ratio(p.fuzzyd.rps, p.rspamd.rps)),
      `≥ ${target}×${met === null ? '' : met ? ' (met)' : ' (**not met**)'}`,
    ]);
    const runs = (m: Measurement): string => (m.runsRps ?? [m.rps]).map(int).join(' / ');
    const cpu = (m: Measurement): string => (m.cpu ? `${m.cpu.serverUsPerRequest} µs/req, ${m.cpu.serverPct} %` : 'n/a');
    const lost = pairs.flatMap((p, i) => [
      p.fuzzyd.lost ? `fuzzyd N=${ns[i]} ${p.fuzzyd.lost}` : '',
      p.rspamd.lost ? `rspamd N=${ns[i]} ${p.rspamd.lost}` : '',
    ]).filter(Boolean);
    const busy = pairs.flatMap((p, i) =>
      ([['fuzzyd', p.fuzzyd], ['rspamd', p.rspamd]] as const).flatMap(([who, m]) =>
        m.cpu && m.cpu.otherPct > 30 ? [`${who} N=${ns[i]} ${m.cpu.otherPct} % of a core`] : [],
      ),
    );
    if (busy.length > 0) notes.push(`${name}: **disturbed** (other programs took CPU; rates and tails are low): ${busy.join(', ')}`);
    notes.push(
      `${name}: better of 2 runs: ` +
        pairs.map((p, i) => `N=${ns[i]} fuzzyd ${runs(p.fuzzyd)}, rspamd ${runs(p.rspamd)}`).join('; ') +
        ' req/s. Server CPU (per request, % of a core): ' +
        pairs.map((p, i) => `N=${ns[i]} fuzzyd ${cpu(p.fuzzyd)}, rspamd ${cpu(p.rspamd)}`).join('; ') +
        (lost.length ? `. Lost: ${lost.join(', ')}` : '. Nothing lost'),
    );
  }
  return {
    title:
      `Spread over threads / worker processes: ${s.sockets} client sockets (the kernel spreads a SO_REUSEPORT port ` +
      `by client address and port), ${inflight} requests in flight in all, closed loop; fuzzyd with ` +
      `FUZZYD_UDP_THREADS = N, rspamd 3.4 with \`count = N\` fuzzy workers; req/s (p99 ms). The generator shares the ` +
      'cores with the server.',
    header,
    rows,
    notes,
  };
}

function floodTable(f: FloodResult): Table {
  const row = (label: string, m: Measurement): string[] => [
    label,
    int(m.rps),
    lat(m),
    String(m.lost),
    m.maxGapMs.toFixed(0),
    m.cpu ? `${m.cpu.serverUsPerRequest} (${m.cpu.serverPct} %)` : '',
    m.cpu ? `${m.cpu.otherPct} %` : '',
  ];
  const s = f.floodStats;
  const statuses = Object.entries(s.statuses).map(([k, v]) => `${int(v)} × ${k}`).join(', ') || 'none';
  const mb = `${f.bodyBytes / 2 ** 20} MB`;
  return {
    title:
      `CHECK plain at ${int(f.rate)}/s offered (open loop, ${f.sockets} sockets) on fuzzyd with its default ` +
      `${f.fuzzydUdpThreads ?? '?'} UDP threads, alone, while ${f.connections} connections POST /api/v1/hashes ` +
      `with \`content-length\` ${mb} and no Authorization header to its HTTP port, streaming the body and reconnecting ` +
      'whenever fuzzyd closes one (http-flood.ts, a separate Node process on the same cores), and alone again.',
    header: ['CHECK plain', 'req/s', 'p50 / p99 / p99.9 ms', 'lost', 'longest silence ms', 'CPU µs/req (% core)', 'other programs'],
    rows: [row('alone', f.baseline), row(`during the ${mb} POST flood`, f.flood), row('alone again, after the flood', f.after)],
    notes: [
      `p99 during the flood ${ratio(f.flood.p99, f.baseline.p99)} the p99 alone before it, ` +
        `${ratio(f.flood.p99, f.after.p99)} the p99 alone after it; lost ${f.flood.lost} vs ${f.baseline.lost} / ${f.after.lost}`,
      `the flood: ${int(s.connects)} connections in ${s.durationS.toFixed(1)} s (${int(s.connectsPerS)}/s), answers ` +
        `${statuses}, ${int(s.errors)} ended in a reset or error, ` +
        `${(s.bodyBytesWritten / 2 ** 20).toFixed(1)} MB of body written in all, flood process CPU ` +
        `${s.durationS > 0 ? Math.round(s.cpuMs / 10 / s.durationS) : 0} % of a core`,
      '"other programs" is CPU that went to neither fuzzyd nor the generator: during the flood, mostly the flood process',
    ],
  };
}

function tablesOf(r: { params: UdpBenchResult['params']; targets: typeof TARGETS; scaling?: ScalingResult; flood?: FloodResult }): Table[] {
  const out: Table[] = [];
  if (r.scaling) out.push(scalingTable(r.scaling, r.targets, r.scaling.inflight));
  if (r.flood) out.push(floodTable(r.flood));
  return out;
}

function tableConsole(t: Table): string[] {
  const strip = (c: string): string => c.replace(/\*\*/g, '').replace(/`/g, '');
  const body = t.rows.map((r) => r.map(strip));
  const widths = t.header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const fmt = (cols: string[]): string => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [
    '',
    strip(t.title),
    fmt(t.header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(fmt),
    ...t.notes.map((n) => `  ${strip(n)}`),
  ];
}

function tableMarkdown(t: Table): string[] {
  return [
    '',
    t.title,
    '',
    `| ${t.header.join(' | ')} |`,
    `| ${t.header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    ...t.notes.map((n) => `- ${n}.`),
  ];
}

function extrasConsole(r: Parameters<typeof tablesOf>[0]): string[] {
  return tablesOf(r).flatMap(tableConsole);
}

/** A run of only some parts (`--only=`): their tables, targets and warnings. */
export function udpPartialConsole(r: UdpPartialResult): string {
  return [`parts: ${r.parts.join(', ')} (${r.durationS} s)`, ...extrasConsole(r), ...verdictsConsole(r)].join('\n');
}

export function udpMarkdown(r: UdpBenchResult): string {
  const P = r.params;
  const lines = [
    `${int(P.preloadedHashes)} preloaded hashes × 32 shingles, one SQLite file copied for each server; load from a ` +
      `separate process (${r.generator === 'c' ? 'loadgen.c' : 'the Node generator'}), one UDP socket, ` +
      `${P.inflight} requests in flight (closed loop) unless stated, ${P.timeoutMs} ms timeout, no retransmits. ` +
      (P.oneSocketUdpThreads !== undefined
        ? `One socket only ever reaches one of several UDP threads, so in this table fuzzyd runs ` +
          `FUZZYD_UDP_THREADS=${P.oneSocketUdpThreads} (comparable with results from before fuzzyd had UDP threads) ` +
          'and rspamd one worker; the spread-out rows follow below. '
        : '') +
      `CHECK runs: ${P.checkWarmupS} s warm-up + ${P.checkDurationS} s. ` +
      `rspamd 3.4 fuzzy worker: SQLite backend, sync ${P.rspamdDefaultSync} (its default), a fresh worker for each ` +
      'WRITE and mixed run. Each scenario runs on fuzzyd and right after on rspamd, so both meet the same machine.',
    '',
    '| scenario | fuzzyd req/s | p50 / p99 / p99.9 ms | lost | CPU µs/req (% core) ' +
      '| rspamd req/s | p50 / p99 / p99.9 ms | lost | CPU µs/req (% core) | fuzzyd ÷ rspamd |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const rows = udpRows(r);
  for (const x of rows) lines.push(`| ${[x.scenario, ...cells(x.fz), ...cells(x.rs), x.ratio].join(' | ')} |`);
  lines.push('');
  for (const x of rows) if (x.note) lines.push(`- ${x.scenario}: ${x.note}.`);
  lines.push(
    "- CPU µs/req: the server's own CPU time (all its threads) over the run divided by the requests sent, warm-up " +
      "included; the mixed rows count both generators' requests.",
    "- WRITE ratios compare fuzzyd's acknowledged-after-commit rate with the rate at which rspamd then applied its " +
      'queue.',
    `- fuzzyd start-up (index rebuilt from the file): ${(r.fuzzydStartMs / 1000).toFixed(1)} s` +
      (r.fuzzydIndexLoadMs !== null ? ` (index ${(r.fuzzydIndexLoadMs / 1000).toFixed(1)} s)` : '') +
      '.',
  );
  for (const t of tablesOf(r)) lines.push(...tableMarkdown(t));
  lines.push(
    '',
    '| target | measured | met |',
    '| --- | --- | --- |',
  );
  for (const [name, v] of Object.entries(r.verdicts)) {
    lines.push(`| ${name}: ${v.target} | ${v.value} | ${v.met ? 'yes' : '**no**'} |`);
  }
  for (const w of r.warnings) lines.push('', `**Warning:** ${w}`);
  const bad = disturbed(rows);
  if (bad.length > 0) {
    const what = 'other programs took CPU during these runs; their rates and tails are low';
    lines.push('', `**Disturbed runs** (${what}): ${bad.join('; ')}.`);
  }
  if (r.profile) {
    lines.push('', 'Hottest fuzzyd functions (self time, % of one core, `--cpu-prof`):', '');
    for (const [scenario, spots] of Object.entries(r.profile)) {
      const top = spots.slice(0, 6).map((h) => `${h.function} (${h.thread}, ${h.pctOfCore} %)`);
      lines.push(`- ${scenario}: ${top.join(', ')}`);
    }
  }
  return lines.join('\n');
}

/** For sections without their own renderer: scalar fields as a table, anything nested as compact JSON. */
export function genericMarkdown(result: Record<string, unknown>): string {
  if (typeof result.markdown === 'string') return result.markdown;
  const lines = ['| field | value |', '| --- | --- |'];
  for (const [key, value] of Object.entries(result)) {
    const text = value !== null && typeof value === 'object' ? `\`${JSON.stringify(value)}\`` : String(value);
    lines.push(`| ${key} | ${text.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}
