/**
 * 10 s of WRITEs with 32 shingles from an allowed source, offered far faster than any disk commits them, from a
 * separate process (the C load generator of the benchmark). The write queue must stay within its bound (here set low,
 * so the flood surely reaches it), what does not fit must be refused with a reply and counted, and fuzzyd must answer
 * normally within 3 s of the flood's end. (Memory then grows only with the hashes really stored; the figure is in
 * the README's failure section.)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzyClient } from '../../shared/client/fuzzy-client.js';
import { writeWriteTemplate } from '../bench/bench-data.js';
import { type LoadgenResult, prepareLoadgen } from '../bench/loadgen.js';
import { type FuzzydProcess, startFuzzyd } from '../helpers/fuzzyd-process.js';
import { randomDigest } from '../helpers/fuzzy-data.js';

const QUEUE_MAX = 2000;
const work = mkdtempSync('/tmp/fuzzyd-flood-');
let fuzzyd: FuzzydProcess;
let flood: LoadgenResult;
let peakQueue = 0;
let peakRssMb = 0;
let answeredAfterMs = Infinity;

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

beforeAll(async () => {
  fuzzyd = await startFuzzyd({ FUZZYD_DB: join(work, 'fuzzy.db'), FUZZYD_WRITE_QUEUE_MAX: String(QUEUE_MAX) });
  const requests = join(work, 'write.req');
  writeWriteTemplate(requests, true, 7);
  const gen = prepareLoadgen(work);
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, rssMb(fuzzyd.pid));
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
    console.log(`write flood: peak RSS ${peakRssMb.toFixed(0)} MB, peak queue ${peakQueue}, sent ${flood.sent}, acknowledged ${flood.outcomes.ack}, refused ${flood.outcomes.refused}`);
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
