/**
 * Lowers the scheduling priority of the calling thread only. The ANN trainer and the SQLite writer are worker
 * threads next to the event loop that answers UDP CHECKs; on a 2-core host they compete for CPU, and without this
 * the event loop waits behind them whenever anything else runs. On Linux setpriority(PRIO_PROCESS,
 * tid) applies to one thread, and os.setPriority passes the id through; the thread id comes from
 * /proc/thread-self. Raising the nice value needs no privileges. Elsewhere this is a no-op.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** Returns true when this thread now runs at the requested nice value (read back, not assumed). */
export function lowerThreadPriority(nice: number): boolean {
  if (process.platform !== 'linux' || nice <= 0) return false;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return false;
    const target = Math.min(19, Math.round(nice));
    setPriority(tid, target);
    return getPriority(tid) === target;
  } catch {
    return false;
  }
}
