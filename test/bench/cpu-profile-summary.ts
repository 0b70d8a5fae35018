/**
 * Reads the .cpuprofile files `node --cpu-prof` wrote (one per thread) and lists the functions with the most self
 * time inside given time windows. V8 stamps samples with the monotonic clock, the same one process.hrtime() reads
 * in the benchmark process, so a window is simply [hrtime before, hrtime after] of a scenario.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CpuHotspot {
  thread: string;
  function: string;
  /** file:line, shortened to the part after dist/ or node_modules/. */
  location: string;
  selfMs: number;
  /** Self time as a share of the window's wall time: 100 % is one core busy in this function. */
  pctOfCore: number;
}

function threadOf(file: string): string {
  // CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread 0 is the main thread
  const tid = file.split('.').at(-3);
  return tid === '0' ? 'main' : `worker ${tid}`;
}

function shortUrl(url: string, line: number): string {
  if (!url) return '';
  const cut = url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/');
  return `${cut}:${line + 1}`;
}

export function summarizeCpuProfiles(
  dir: string,
  windows: Record<string, [bigint, bigint]>,
  top: number,
): Record<string, CpuHotspot[]> {
  const profiles = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ thread: threadOf(f), profile: JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile }));
  const out: Record<string, CpuHotspot[]> = {};
  for (const [name, [from, to]] of Object.entries(windows)) {
    const fromUs = Number(from / 1000n);
    const toUs = Number(to / 1000n);
    const wallMs = (toUs - fromUs) / 1000;
    const totals = new Map<string, CpuHotspot>();
    for (const { thread, profile } of profiles) {
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      let t = profile.startTime;
      for (let i = 0; i < profile.samples.length; i++) {
        t += profile.timeDeltas[i] ?? 0;
        if (t < fromUs || t > toUs) continue;
        const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
        const node = byId.get(profile.samples[i]);
        if (!node || node.callFrame.functionName === '(idle)') continue;
        const fn = node.callFrame.functionName || '(anonymous)';
        const location = shortUrl(node.callFrame.url, node.callFrame.lineNumber);
        const key = `${thread}|${fn}|${location}`;
        const entry = totals.get(key) ?? { thread, function: fn, location, selfMs: 0, pctOfCore: 0 };
        entry.selfMs += dt;
        totals.set(key, entry);
      }
    }
    out[name] = [...totals.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((h) => ({ ...h, selfMs: Math.round(h.selfMs), pctOfCore: Number(((h.selfMs / wallMs) * 100).toFixed(1)) }));
  }
  return out;
}
