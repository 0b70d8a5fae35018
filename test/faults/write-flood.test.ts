/**
 * 10 s of WRITEs with 32 shingles from an allowed source, offered far faster than any disk commits them, from a
 * separate process (the C load generator of the benchmark). The write queue must stay within its default bound, what
 * does not fit must be refused with a reply and counted, and fuzzyd must answer normally within 3 s of the flood's
 * end. (Memory then grows only with the hashes really stored; the peak it prints is in the README's failure section.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE_LIMITS } from '../../server/src/fuzzy/sqlite/writer/group-commit-queue.js';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { writeWriteTemplate } from '../bench/bench-data.js';
import { type LoadgenResult, prepareLoadgen } from '../bench/loadgen.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { randomDigest } from '../helpers/fuzzy-data.js';

// fuzzyd's default bound: the memory figure in the README's failure section is measured at it.
const QUEUE_MAX = DEFAULT_QUEUE_LIMITS.maxDepth;
const work = mkdtempSync('/tmp/fuzzyd-flood-');
let fuzzyd: FuzzydProcess;
let flood: LoadgenResult;
let peakQueue = 0;
let peakRssMb = 0;
let peakFileMb = 0;
let answeredAfterMs = Infinity;

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);
}

/** Resident memory in MB: all of it, and the part that is file pages (SQLite's memory map of the store). */
function rssMb(pid: number): { total: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { total: kb('VmRSS') / 1024, file: kb('RssFile') / 1024 };
}

beforeAll(async () => {
  fuzzyd = await startFuzzyd({ FUZZYD_DB: join(work, 'fuzzy.db') });
  const requests = join(work, 'write.req');
  writeWriteTemplate(requests, true, 7);
  const gen = prepareLoadgen(work);
  const sampler = setInterval(() => {
    const rss = rssMb(fuzzyd.pid);
    if (rss.total > peakRssMb) [peakRssMb, peakFileMb] = [rss.total, rss.file];
    void metric('fuzzyd_write_queue_depth').then((depth) => (peakQueue = Math.max(peakQueue, depth)));
  }, 100);
  try {
    flood = await gen.run({ port: fuzzyd.udpPort, requests, mode: 'open', rate: 150_000, durationS: 10, timeoutMs: 3000, uniqueSeed: 3 });
  } finally {
    clearInterval(sampler);
  }
  // The generator stops 3 s (its timeout) after its last send: from then on, how soon is a fresh CHECK answered?
  const client = new FuzzyClient({ host: '127.0.0.1', port: fuzzyd.udpPort, timeoutMs: 250, retries: 0 });
  const start = Date.now();
  for (;;) {
    const ok = await client.check(randomDigest()).then(
      () => true,
      () => false,
    );
    if (ok) {
      answeredAfterMs = Date.now() - start;
      break;
    }
    if (Date.now() - start > 20_000) break;
  }
  await client.close();
}, 60_000);

afterAll(async () => {
  await fuzzyd?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a 10 s WRITE flood', () => {
  it('never queues more than the bound', () => {
    console.log(`write flood: peak RSS ${peakRssMb.toFixed(0)} MB (${peakFileMb.toFixed(0)} MB of it file pages), peak queue ${peakQueue}, sent ${flood.sent}, acknowledged ${flood.outcomes.ack}, refused ${flood.outcomes.refused}, a CHECK answered ${answeredAfterMs} ms after the flood`);
    expect(peakQueue).toBeGreaterThan(0);
    expect(peakQueue).toBeLessThanOrEqual(QUEUE_MAX);
  });

  it('answers what it cannot queue instead of growing, and counts it', async () => {
    expect(flood.sent).toBeGreaterThan(200_000);
    expect(flood.outcomes.refused).toBeGreaterThan(0);
    expect(flood.outcomes.ack).toBeGreaterThan(0);
    const metrics = await (await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^fuzzyd_udp_requests_total\{command="write",result="overloaded"\} [1-9]\d*$/m);
  });

  it('answers a CHECK within 3 s of the end of the flood', () => {
    expect(answeredAfterMs).toBeLessThan(3000);
  });
});
