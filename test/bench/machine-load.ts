/**
 * How busy the machine is with work that is not ours. The benchmark's server and generator share two cores, so
 * anything else running at the same time (a test suite, another benchmark) lowers every figure; the results record
 * it, and `--wait-quiet` waits for it to stop.
 */
import { readFileSync } from 'node:fs';

/** /proc/stat's first line: user nice system idle iowait irq softirq steal guest guest_nice, in ticks. */
function cpuTimes(): { busy: number; total: number; tasks: number; irq: number; steal: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number): number => f[i] ?? 0;
  // guest time is already inside user; counting the first eight columns avoids adding it twice
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return {
    busy: total - at(3) - at(4),
    total,
    tasks: at(0) + at(1) + at(2),
    irq: at(5) + at(6),
    steal: at(7),
  };
}

/** Share of all cores (0-100) busy during the next `ms`; null where /proc/stat is missing. Call it while idle. */
export async function busyPercent(ms = 1000): Promise<number | null> {
  try {
    const a = cpuTimes();
    await new Promise((resolve) => setTimeout(resolve, ms));
    const b = cpuTimes();
    const total = b.total - a.total;
    return total > 0 ? Math.round(((b.busy - a.busy) / total) * 100) : null;
  } catch {
    return null;
  }
}

/** Waits until the machine is below `maxPct` busy for a whole second, or `timeoutMs` passed; returns the last reading. */
export async function waitForQuiet(maxPct: number, timeoutMs: number, log: (line: string) => void): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    const pct = await busyPercent(1000);
    if (pct === null || pct <= maxPct || Date.now() > deadline) return pct;
    if (!said) {
      log(`bench: the machine is ${pct} % busy with other work; waiting (up to ${Math.round(timeoutMs / 1000)} s) for it to calm down...`);
      said = true;
    }
  }
}

/** Linux reports /proc CPU times in USER_HZ ticks, 100 per second on every mainstream kernel. */
const TICK_MS = 10;

function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime, all threads
  } catch {
    return 0;
  }
}

export interface CpuSnapshot {
  at: number;
  taskTicks: number;
  irqTicks: number;
  stealTicks: number;
  serverTicks: number;
}

export function cpuSnapshot(serverPids: number[]): CpuSnapshot {
  let t = { tasks: 0, irq: 0, steal: 0 };
  try {
    t = cpuTimes();
  } catch {
    // not Linux: the figures below come out as 0
  }
  return {
    at: performance.now(),
    taskTicks: t.tasks,
    irqTicks: t.irq,
    stealTicks: t.steal,
    serverTicks: serverPids.reduce((n, pid) => n + processTicks(pid), 0),
  };
}

export interface CpuUse {
  /** The server's CPU as % of one core over the run. */
  serverPct: number;
  /** The server's CPU per request (µs), over every request of the run, warm-up included. */
  serverUsPerRequest: number;
  /** The generator's CPU as % of one core. */
  generatorPct: number;
  /** Other programs as % of one core: high means a disturbed run. */
  otherPct: number;
  /** Interrupt and softirq time (loopback packet delivery lands here on many kernels) as % of one core. */
  irqPct: number;
  /** Time the hypervisor gave to other guests, as % of one core. */
  stealPct: number;
}

export function cpuUse(a: CpuSnapshot, b: CpuSnapshot, generatorCpuMs: number, requests: number): CpuUse {
  const wallMs = b.at - a.at;
  const serverMs = (b.serverTicks - a.serverTicks) * TICK_MS;
  const tasksMs = (b.taskTicks - a.taskTicks) * TICK_MS;
  const pct = (ms: number): number => (wallMs > 0 ? Math.round((ms / wallMs) * 100) : 0);
  return {
    serverPct: pct(serverMs),
    serverUsPerRequest: requests > 0 ? Number(((serverMs * 1000) / requests).toFixed(1)) : 0,
    generatorPct: pct(generatorCpuMs),
    otherPct: Math.max(0, pct(tasksMs - serverMs - generatorCpuMs)),
    irqPct: pct((b.irqTicks - a.irqTicks) * TICK_MS),
    stealPct: pct((b.stealTicks - a.stealTicks) * TICK_MS),
  };
}

/**
 * Waits until `pids` together use under `maxPctOfCore` % of one core over half a second, or `timeoutMs` passed; returns
 * how long that took. A freshly started server may still be finishing its start-up in the background after it said
 * it was ready (fuzzyd: about 2 s): that must not fall into the first measurement.
 */
export async function waitForIdleProcesses(pids: number[], maxPctOfCore = 10, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const a = pids.reduce((n, pid) => n + processTicks(pid), 0);
    const t = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const b = pids.reduce((n, pid) => n + processTicks(pid), 0);
    const pct = (((b - a) * TICK_MS) / (performance.now() - t)) * 100;
    if (pct < maxPctOfCore || performance.now() - started > timeoutMs) return Math.round(performance.now() - started);
  }
}
