/** Parameters, targets and result shapes of the UDP benchmark (udp.bench.ts), shared with the report. */
import type { CpuHotspot } from './cpu-profile-summary.js';
import type { LoadgenResult } from './loadgen.js';
import type { CpuUse } from './machine-load.js';

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
};

/** From the issue: CHECK plain ≥ rspamd, CHECK with shingles ≥ 2× rspamd, WRITE rates after commit, mixed p99. */
export const TARGETS = {
  checkPlainVsRspamd: 1,
  checkShinglesVsRspamd: 2,
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
  verdicts: Record<string, { value: string; target: string; met: boolean }>;
  profile?: Record<string, CpuHotspot[]>;
  warnings: string[];
  durationS: number;
}
