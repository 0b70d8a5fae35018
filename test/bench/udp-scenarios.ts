/**
 * One measurement per function: the load generator run(s), the server's and the machine's CPU over the same span,
 * and the checks that the replies mean what they should (hits, misses, WRITEs visible or not).
 */
import { udpExchange } from '../helpers/udp-exchange.js';
import { checkDatagram } from './bench-data.js';
import type { Loadgen, LoadgenOptions, LoadgenResult } from './loadgen.js';
import { busyPercent, type CpuUse, cpuSnapshot, cpuUse, waitForQuiet } from './machine-load.js';
import type { BenchRspamd } from './rspamd-bench-worker.js';
import {
  type Measurement,
  type MixedMeasurement,
  UDP_PARAMS,
  type UdpFiles,
  type WriteMeasurement,
} from './udp-types.js';

export type Log = (line: string) => void;

/** The server under test: where to send, and which processes' CPU is its own. */
export interface Target {
  name: string;
  port: number;
  pids(): number[];
  /** fuzzyd: acknowledged update ops still waiting in its journal for rspamd's tables. */
  journalOps?(): Promise<number>;
}

export interface ScenarioContext {
  gen: Loadgen;
  files: UdpFiles;
  log: Log;
  /** Wait for other work on the machine to stop before each run (up to 5 min). */
  waitQuiet: boolean;
  /** Told the monotonic span (process.hrtime) of each generator run, e.g. to cut a CPU profile to it. */
  onRun?: (from: bigint, to: bigint) => void;
}

function keep(r: LoadgenResult): Measurement {
  const m: Measurement = {
    rps: Math.round(r.rps),
    replies: r.replies,
    durationS: r.durationS,
    p50: r.latencyUs.p50,
    p99: r.latencyUs.p99,
    p999: r.latencyUs.p999,
    max: r.latencyUs.max,
    lost: r.lost,
    unexpected: r.unexpected,
    maxGapMs: r.maxGapMs,
    outcomes: r.outcomes,
  };
  if (r.mode === 'open') m.offeredRps = r.offeredRps;
  return m;
}

interface Measured {
  results: LoadgenResult[];
  cpu: CpuUse;
  busyBeforePct: number | null;
}

/** Runs the generator(s) once, with the server's and the machine's CPU use over the same span. */
async function runMeasured(ctx: ScenarioContext, target: Target, runs: LoadgenOptions[]): Promise<Measured> {
  const busyBeforePct = ctx.waitQuiet ? await waitForQuiet(10, 300_000, ctx.log) : await busyPercent(500);
  const pids = target.pids();
  const before = cpuSnapshot(pids);
  const from = process.hrtime.bigint();
  const results = await Promise.all(runs.map((o) => ctx.gen.run(o)));
  ctx.onRun?.(from, process.hrtime.bigint());
  const after = cpuSnapshot(pids);
  const generatorMs = results.reduce((n, r) => n + r.cpuMs, 0);
  const requests = results.reduce((n, r) => n + r.sent, 0);
  return { results, cpu: cpuUse(before, after, generatorMs, requests), busyBeforePct };
}

function describe(label: string, m: Measurement): string {
  const ms = (us: number): string => (us / 1000).toFixed(2);
  const c = m.cpu;
  const cpu = c
    ? `  cpu: server ${c.serverPct}% (${c.serverUsPerRequest} µs/req) gen ${c.generatorPct}% irq ${c.irqPct}% ` +
      `other ${c.otherPct}%`
    : '';
  return (
    `  ${label.padEnd(38)} ${String(m.rps).padStart(7)} req/s  p50 ${ms(m.p50)}  p99 ${ms(m.p99)}  ` +
    `p99.9 ${ms(m.p999)} ms  lost ${m.lost}  unexpected ${m.unexpected}${cpu}`
  );
}

/** The version byte of a 4.x client that has seen a multi-flag reply: its requests get 144-byte replies. */
export const MULTI_FLAG_CLIENT = 5;

export interface CheckOptions {
  /** The version byte of every request (MULTI_FLAG_CLIENT: a 4.x client). */
  version?: number;
  /** Send from this many UDP sockets (default 1), so a SO_REUSEPORT server's threads / workers all get some. */
  sockets?: number;
}

const socketsLabel = (sockets: number | undefined): string => (sockets && sockets > 1 ? ` ×${sockets} sockets` : '');

export async function measureCheck(
  ctx: ScenarioContext,
  target: Target,
  kind: 'plain' | 'shingles',
  opts: CheckOptions = {},
): Promise<Measurement> {
  const P = UDP_PARAMS;
  const { results, cpu, busyBeforePct } = await runMeasured(ctx, target, [
    {
      port: target.port,
      requests: kind === 'plain' ? ctx.files.checkPlain : ctx.files.checkShingles,
      mode: 'closed',
      inflight: P.inflight,
      warmupS: P.checkWarmupS,
      durationS: P.checkDurationS,
      timeoutMs: P.timeoutMs,
      version: opts.version,
      sockets: opts.sockets,
    },
  ]);
  const m = { ...keep(results[0]), cpu, busyBeforePct };
  const version = opts.version === undefined ? '' : ` v${opts.version}`;
  ctx.log(describe(`${target.name} check-${kind}${version}${socketsLabel(opts.sockets)}`, m));
  return m;
}

/**
 * CHECK plain (½ hits) at a fixed offered rate (open loop), for the mixed scenario's warm-up and duration; `during`
 * names what else goes on (for the log line).
 */
export async function measureCheckAtRate(
  ctx: ScenarioContext,
  target: Target,
  rate: number,
  opts: { sockets?: number; during?: string } = {},
): Promise<Measurement> {
  const P = UDP_PARAMS;
  const { results, cpu, busyBeforePct } = await runMeasured(ctx, target, [
    {
      port: target.port,
      requests: ctx.files.checkPlain,
      mode: 'open',
      rate,
      warmupS: P.mixedWarmupS,
      durationS: P.mixedDurationS,
      timeoutMs: P.timeoutMs,
      sockets: opts.sockets,
    },
  ]);
  const m = { ...keep(results[0]), cpu, busyBeforePct };
  const label = `${target.name} check-plain @${rate}/s${socketsLabel(opts.sockets)}${opts.during ? `, ${opts.during}` : ''}`;
  ctx.log(`${describe(label, m)}  longest silence ${m.maxGapMs.toFixed(0)} ms`);
  return m;
}

function writeOptions(ctx: ScenarioContext, port: number, kind: 'plain' | 'shingles', seed: number, version?: number): LoadgenOptions {
  const P = UDP_PARAMS;
  return {
    port,
    requests: kind === 'plain' ? ctx.files.writePlain : ctx.files.writeShingles,
    mode: 'closed',
    inflight: P.inflight,
    count: kind === 'plain' ? P.writePlainCount : P.writeShingleCount,
    warmupCount: P.writeWarmup,
    durationS: P.writeMaxS,
    timeoutMs: P.timeoutMs,
    uniqueSeed: seed,
    version,
  };
}

/** A CHECK of `hexDigest`: prob 1 once the WRITE is stored; null while the server does not answer. */
async function probe(port: number, hexDigest: string, timeoutMs = 200): Promise<number | null> {
  const reply = await udpExchange(checkDatagram(Buffer.from(hexDigest, 'hex'), 0x7e57), port, { timeoutMs });
  return reply && reply.length === 96 ? reply.readFloatLE(12) : null;
}

/** fuzzyd acknowledges after the commit, so the last acknowledged WRITE must be visible at once. */
export async function measureFuzzydWrite(
  ctx: ScenarioContext,
  target: Target,
  kind: 'plain' | 'shingles',
  seed: number,
  version?: number,
): Promise<WriteMeasurement> {
  const { results, cpu, busyBeforePct } = await runMeasured(ctx, target, [writeOptions(ctx, target.port, kind, seed, version)]);
  const r = results[0];
  const visibleAtAck = (await probe(target.port, r.lastDigest)) === 1;
  const m: WriteMeasurement = { ...keep(r), cpu, busyBeforePct, visibleAtAck, queued: r.sent };
  // Acknowledged means committed to fuzzyd's journal; time how long the rows then take to reach rspamd's tables.
  if (target.journalOps) {
    const started = performance.now();
    while ((await target.journalOps()) > 0 && performance.now() - started < 180_000) await sleep(50);
    m.journalApplyMs = Math.round(performance.now() - started);
  }
  const applied = m.journalApplyMs !== undefined ? `; journal applied to rspamd's tables ${(m.journalApplyMs / 1000).toFixed(1)} s later` : '';
  const label = `${target.name} write-${kind}${version === undefined ? '' : ` v${version}`}`;
  ctx.log(`${describe(label, m)}  visible at ack: ${m.visibleAtAck}${applied}`);
  return m;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * rspamd acknowledges at once and applies later; force the flush and time it by polling a CHECK of the last WRITE
 * (the worker answers nothing while it applies, and `fuzzy_sync` returns before the flush ends).
 */
export async function measureRspamdWrite(
  ctx: ScenarioContext,
  rs: BenchRspamd,
  target: Target,
  kind: 'plain' | 'shingles',
  seed: number,
): Promise<WriteMeasurement> {
  const { results, cpu, busyBeforePct } = await runMeasured(ctx, target, [writeOptions(ctx, rs.port, kind, seed)]);
  const r = results[0];
  const visibleAtAck = (await probe(rs.port, r.lastDigest)) === 1;
  const started = performance.now();
  const sync = rs.syncNow();
  let applyMs: number | undefined;
  while (performance.now() - started < 180_000) {
    if ((await probe(rs.port, r.lastDigest, 100)) === 1) {
      applyMs = Math.round(performance.now() - started);
      break;
    }
    await sleep(50);
  }
  await sync.catch((err: Error) => ctx.log(`  (fuzzy_sync: ${err.message})`));
  const m: WriteMeasurement = {
    ...keep(r),
    cpu,
    busyBeforePct,
    visibleAtAck,
    queued: r.sent,
    ...(applyMs !== undefined ? { applyMs, applyRate: Math.round(r.sent / (applyMs / 1000)) } : {}),
  };
  const applied = applyMs !== undefined ? `${(applyMs / 1000).toFixed(1)} s (${m.applyRate}/s)` : '> 180 s';
  const line = describe(`${target.name} write-${kind}`, m);
  ctx.log(`${line}  visible at ack: ${visibleAtAck}; applying ${r.sent} took ${applied}`);
  return m;
}

/** CHECKs (plain, ½ hits) at a fixed offered rate while a second generator streams WRITEs with shingles. */
export async function measureMixed(ctx: ScenarioContext, target: Target, seed: number): Promise<MixedMeasurement> {
  const P = UDP_PARAMS;
  const common = { port: target.port, warmupS: P.mixedWarmupS, durationS: P.mixedDurationS, timeoutMs: P.timeoutMs };
  const { results, cpu, busyBeforePct } = await runMeasured(ctx, target, [
    { ...common, requests: ctx.files.checkPlain, mode: 'open', rate: P.mixedCheckRate },
    { ...common, requests: ctx.files.writeShingles, mode: 'closed', inflight: P.mixedWriteInflight, uniqueSeed: seed },
  ]);
  // One CPU account for the whole mixed run: it is reported with the CHECKs.
  const m = { checks: { ...keep(results[0]), cpu, busyBeforePct }, writes: keep(results[1]) };
  const line = describe(`${target.name} mixed: CHECK @${P.mixedCheckRate}/s`, m.checks);
  ctx.log(`${line}  longest silence ${m.checks.maxGapMs.toFixed(0)} ms`);
  ctx.log(describe(`${target.name} mixed: WRITE+shingles ×${P.mixedWriteInflight}`, m.writes));
  return m;
}
