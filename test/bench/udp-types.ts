/** Parameters, targets and result shapes of the UDP benchmark (udp.bench.ts), shared with the report. */
import type { CpuHotspot } from './cpu-profile-summary.js';
import type { LoadgenResult } from './loadgen.js';
import type { CpuUse } from './machine-load.js';
import type { RedisBenchResult } from './redis.bench.js';

export const UDP_PARAMS = {
  preloadedHashes: 100_000,
  seed: 20_240_601,
  inflight: 64,
  timeoutMs: 1000,
  /** Each CHECK scenario runs twice per server (fuzzyd, rspamd, rspamd, fuzzyd); the better run counts. */
  checkWarmupS: 2,
  checkDurationS: 6,
  /** WRITE scenarios: this many measured WRITEs after `writeWarmup`, or `writeMaxS`, whichever comes first. */
  writePlainCount: 50_000,
  writeShingleCount: 20_000,
  writeWarmup: 2_000,
  writeMaxS: 8,
  mixedCheckRate: 10_000,
  mixedWriteInflight: 32,
  mixedWarmupS: 2,
  mixedDurationS: 10,
  /** rspamd's default sync, and the short one that shows what its flushes do to CHECK latency. */
  rspamdDefaultSync: '60s',
  rspamdShortSync: '0.2s',
  /**
   * The rows above run fuzzyd with this many UDP threads (FUZZYD_UDP_THREADS): one socket only ever reaches one
   * thread, and 1 keeps them comparable with the results from before fuzzyd had threads.
   */
  oneSocketUdpThreads: 1,
  /**
   * Scaling rows: CHECKs from this many sockets, so the kernel spreads them over SO_REUSEPORT sockets, against fuzzyd
   * with N UDP threads and rspamd with `count = N` fuzzy workers, for each N here.
   */
  scalingSockets: 16,
  scalingN: [1, 2],
  /** CHECK plain at this offered rate (open loop) while `floodConnections` unauthenticated 1 MB POSTs arrive. */
  floodCheckRate: 20_000,
  floodConnections: 200,
  floodBodyBytes: 1_048_576,
  /** Each flood connection writes this much body every `floodChunkIntervalMs`, until fuzzyd closes it. */
  floodChunkBytes: 16_384,
  floodChunkIntervalMs: 10,
};

/** Short runs for a smoke test of the harness (`npm run bench -- udp --smoke`); such results are not saved. */
export function useSmokeDurations(): void {
  Object.assign(UDP_PARAMS, {
    checkWarmupS: 0.5,
    checkDurationS: 2,
    writePlainCount: 5_000,
    writeShingleCount: 2_000,
    writeWarmup: 500,
    writeMaxS: 3,
    mixedWarmupS: 0.5,
    mixedDurationS: 3,
  });
}

/**
 * From the issue: CHECK plain ≥ rspamd, CHECK with shingles ≥ 2× rspamd, WRITE rates after commit, mixed p99; and for
 * this 2-core machine with the load spread over threads / worker processes (scaling rows, judged at N = 2, fuzzyd's
 * default there): CHECK plain ≥ 1.3× rspamd, with shingles ≥ 3×.
 */
export const TARGETS = {
  checkPlainVsRspamd: 1,
  checkShinglesVsRspamd: 2,
  scaledCheckPlainVsRspamd: 1.3,
  scaledCheckShinglesVsRspamd: 3,
  /** The N (fuzzyd UDP threads = rspamd worker count) the scaling targets are judged at. */
  scaledTargetN: 2,
  writePlainRps: 30_000,
  writeShinglesRps: 10_000,
  mixedP99Us: 5000,
};

/** The figures kept per measurement (the generator prints more); latencies in µs. */
export interface Measurement {
  rps: number;
  replies: number;
  durationS: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  lost: number;
  unexpected: number;
  /** Longest time without any reply: a server that stops answering shows here. */
  maxGapMs: number;
  outcomes: LoadgenResult['outcomes'];
  offeredRps?: number;
  cpu?: CpuUse;
  /** % of both cores busy with other work in the second before this run (ours idle then). */
  busyBeforePct?: number | null;
  /** When the figure is the better of repeated runs: every run's rate. */
  runsRps?: number[];
}

export interface WriteMeasurement extends Measurement {
  /** Did a CHECK right after the last acknowledged WRITE find it? (fuzzyd: must; rspamd: not before its sync) */
  visibleAtAck: boolean;
  /** rspamd: WRITEs queued (warm-up included), and the time until the last became visible after a forced sync. */
  queued?: number;
  applyMs?: number;
  applyRate?: number;
  /**
   * fuzzyd: how long after the run its journal (acknowledged, durable) was fully applied to rspamd's tables; the
   * shingle rows of shingled WRITEs move later still, when writes pause.
   */
  journalApplyMs?: number;
}

export interface MixedMeasurement {
  checks: Measurement;
  writes: Measurement;
  note?: string;
}

/** fuzzyd with N UDP threads against rspamd with `count = N`, for one scenario, at one N. */
export interface ScalingPair {
  fuzzyd: Measurement;
  rspamd: Measurement;
}

export interface ScalingRun {
  /** FUZZYD_UDP_THREADS and rspamd's worker `count`. */
  n: number;
  /** What fuzzyd said it runs ("fuzzyd ready"); null if it did not say. */
  fuzzydUdpThreads: number | null;
  checkPlain: ScalingPair;
  checkShingles: ScalingPair;
}

export interface ScalingResult {
  sockets: number;
  inflight: number;
  runs: ScalingRun[];
}

export interface FloodStats {
  /** Connections opened (200 at a time, each reopened when fuzzyd closed it). */
  connects: number;
  /** Responses whose status line was read (401 expected), by status. */
  statuses: Record<string, number>;
  /** Connections that ended in a reset or another error rather than a clean close. */
  errors: number;
  /** Body bytes handed to the kernel over all connections. */
  bodyBytesWritten: number;
  durationS: number;
  connectsPerS: number;
  /** The flood process's own CPU (user + system) over its run. */
  cpuMs: number;
}

/** CHECKs at a fixed offered rate with and without a flood of unauthenticated 1 MB HTTP POSTs, on one fuzzyd. */
export interface FloodResult {
  rate: number;
  sockets: number;
  connections: number;
  bodyBytes: number;
  fuzzydUdpThreads: number | null;
  /** Alone, before the flood. */
  baseline: Measurement;
  flood: Measurement;
  /** Alone again, after the flood. */
  after: Measurement;
  floodStats: FloodStats;
}

export interface UdpFiles {
  preload: string;
  checkPlain: string;
  checkShingles: string;
  writePlain: string;
  writeShingles: string;
}

export interface UdpBenchResult {
  params: typeof UDP_PARAMS;
  targets: typeof TARGETS;
  generator: 'c' | 'node';
  preloadMs: number;
  fuzzydStartMs: number;
  fuzzydIndexLoadMs: number | null;
  fuzzyd: {
    checkPlain: Measurement;
    checkShingles: Measurement;
    writePlain: WriteMeasurement;
    writeShingles: WriteMeasurement;
    mixed: MixedMeasurement;
    /** WRITEs with FUZZYD_DURABILITY=normal (no fsync per commit). */
    writePlainNormal?: WriteMeasurement;
    writeShinglesNormal?: WriteMeasurement;
    /** The same scenarios from an rspamd 4.x client (version 5: multi-flag replies and WRITE rule). */
    multiFlag?: {
      checkPlain: Measurement;
      checkShingles: Measurement;
      writePlain: WriteMeasurement;
      writeShingles: WriteMeasurement;
    };
  };
  rspamd: {
    checkPlain: Measurement;
    checkShingles: Measurement;
    writePlain: WriteMeasurement;
    writeShingles: WriteMeasurement;
    mixed: MixedMeasurement;
    mixedShortSync?: MixedMeasurement;
  };
  /** Absent in results from before these rows existed. */
  scaling?: ScalingResult;
  flood?: FloodResult;
  verdicts: Record<string, { value: string; target: string; met: boolean }>;
  profile?: Record<string, CpuHotspot[]>;
  warnings: string[];
  durationS: number;
}

/** The parts of the UDP benchmark besides the one-socket rows that `--only=` can pick. */
export const UDP_PARTS = ['scaling', 'flood', 'ratelimit', 'redis'] as const;
export type UdpPart = (typeof UDP_PARTS)[number];

/** A run of only some parts (`--only=scaling,flood`): printed, never merged into bench/results. */
export interface UdpPartialResult {
  params: typeof UDP_PARAMS;
  targets: typeof TARGETS;
  generator: 'c' | 'node';
  parts: UdpPart[];
  scaling?: ScalingResult;
  flood?: FloodResult;
  /** CHECK plain on one socket with and without a network rate limit that never refuses (its bookkeeping only). */
  rateLimit?: { off: Measurement; on: Measurement };
  /** fuzzyd's Redis backend against rspamd's on one Redis (redis.bench.ts). */
  redis?: RedisBenchResult;
  verdicts: UdpBenchResult['verdicts'];
  warnings: string[];
  durationS: number;
}
