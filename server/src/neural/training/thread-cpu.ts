/**
 * CPU time of the calling thread. Node 20 has no per-thread CPU API (process.cpuUsage() sums all threads, and
 * process.threadCpuUsage() arrived in Node 23), so on Linux we read utime + stime of /proc/thread-self/stat,
 * which resolves to whichever thread performs the (synchronous) read. Resolution is one clock tick (10 ms).
 */
import { readFileSync } from 'node:fs';

/** USER_HZ; fixed at 100 on every Linux ABI Node supports (sysconf(_SC_CLK_TCK) is not reachable from JS). */
const CLOCK_TICKS_PER_SECOND = 100;

/** Milliseconds of CPU this thread has used, or null where /proc/thread-self is unavailable. */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    // fields after "pid (comm) " start at field 3; utime and stime are fields 14 and 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}

/** Milliseconds of CPU the whole process has used (all threads). */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
