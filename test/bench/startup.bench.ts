/**
 * Start-up at scale: an rspamd-layout file of N hashes, half of them with 32 shingles, opened by fuzzyd without a
 * snapshot (first start, a file rspamd wrote, a restart after kill -9: the index is rebuilt in the background), by
 * fuzzyd from the snapshot its clean stop left, and by rspamd 3.4's fuzzy worker. For each: time from spawn to the
 * first CHECK answered with a hit (a stored shingled hash, asked for by a near-duplicate, so the shingle path is
 * ready too), RSS then, and for fuzzyd's rebuild the time until the index is complete and the peak RSS.
 *
 * Files are generated once per size into FUZZYD_BENCH_STARTUP_DIR (default /var/tmp/fuzzyd-bench-startup) and reused:
 * a million hashes take about two minutes to write. FUZZYD_BENCH_STARTUP_SIZES (default 100000,1000000) chooses the
 * sizes; 10M needs about 11 GB of disk and 20 minutes to generate.
 *
 * On the largest file it also measures CHECK plain at a fixed rate (open loop, 16 sockets) alone and while the admin
 * API streams an export of every hash: an export must not cost the mail flow.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SHINGLE_COUNT } from '../../shared/protocol/constants.js';
import { Command } from '../../shared/protocol/constants.js';
import { decodeReply, encodeRequest } from '../../shared/protocol/codec.js';
import { ShingleBlock } from '../../shared/protocol/shingle-block.js';
import { openFuzzyDatabase } from '../../server/src/fuzzy/sqlite/sqlite-schema.js';
import { udpExchange } from '../helpers/udp-exchange.js';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { type Dataset, Prng, writeCheckPlainRequests } from './bench-data.js';
import { startBenchFuzzyd } from './fuzzyd-bench-server.js';
import { prepareLoadgen } from './loadgen.js';
import { waitForIdleProcesses } from './machine-load.js';
import { startBenchRspamd } from './rspamd-bench-worker.js';

const DIR = process.env.FUZZYD_BENCH_STARTUP_DIR ?? '/var/tmp/fuzzyd-bench-startup';
const SIZES = (process.env.FUZZYD_BENCH_STARTUP_SIZES ?? '100000,1000000').split(',').map(Number);
const SEED = 20261203;
/** The probe: stored hash 1 (odd rows are shingled), asked for by a digest never stored and 3 changed shingles. */
const PROBE_ROW = 1;
const POLL_MS = 10;
const GIVE_UP_MS = 180_000;

function digestOf(row: number): Buffer {
  const prng = new Prng(SEED ^ Math.imul(row + 1, 0x9e3779b1));
  const d = Buffer.alloc(64);
  for (let i = 0; i < 64; i += 4) d.writeUInt32LE(prng.u32(), i);
  return d;
}

function shinglesOf(row: number): Buffer {
  const prng = new Prng(~SEED ^ Math.imul(row + 1, 0x85ebca6b));
  const b = Buffer.alloc(SHINGLE_COUNT * 8);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE(prng.u32(), i);
  return b;
}

/** rspamd's layout, as its worker leaves it: rows in digests and shingles, no fuzzyd snapshot. */
function generate(path: string, hashes: number): void {
  const tmp = `${path}.part`;
  rmSync(tmp, { force: true });
  const db = openFuzzyDatabase(tmp, { durability: 'normal' });
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  // Random keys into the unique shingle index one by one cost ~4x: load without it, build it once.
  db.exec('DROP INDEX IF EXISTS s; DROP INDEX IF EXISTS dgst_id;');
  const digest = db.prepare('INSERT INTO digests(flag, digest, value, time) VALUES (?, CAST(? AS TEXT), ?, ?)');
  const shingle = db.prepare('INSERT INTO shingles(value, number, digest_id) VALUES (?, ?, ?)');
  const now = Math.floor(Date.now() / 1000);
  const BATCH = 50_000;
  for (let from = 0; from < hashes; from += BATCH) {
    db.transaction(() => {
      for (let row = from; row < Math.min(hashes, from + BATCH); row++) {
        const id = digest.run(1 + (row % 3), digestOf(row), 1 + (row % 50), now).lastInsertRowid;
        if (row % 2 === 0) continue;
        const block = shinglesOf(row);
        for (let k = 0; k < SHINGLE_COUNT; k++) shingle.run(block.readBigInt64LE(k * 8), k, id);
      }
    })();
  }
  db.exec('CREATE INDEX IF NOT EXISTS dgst_id ON shingles(digest_id); CREATE UNIQUE INDEX IF NOT EXISTS s ON shingles(value, number);');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(tmp, path);
}

function rowsAgeSeconds(path: string): number {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT time FROM digests WHERE id = 1').get() as { time: number } | undefined;
    return row ? Date.now() / 1000 - row.time : Infinity;
  } finally {
    db.close();
  }
}

function probeDatagram(tag: number): Buffer {
  const shingles = Buffer.from(shinglesOf(PROBE_ROW));
  shingles.fill(0xab, 0, 3 * 8);
  return encodeRequest({ cmd: Command.Check, tag, digest: Buffer.alloc(64, 0xcd), shingles: new ShingleBlock(shingles) });
}

/** Polls with near-duplicate CHECKs until one is a hit; ms since `since`. */
async function firstHit(port: number, since: number): Promise<number> {
  for (let tag = 1; performance.now() - since < GIVE_UP_MS; tag++) {
    const reply = await udpExchange(probeDatagram(tag), port, { timeoutMs: 200 });
    if (reply && decodeReply(reply).prob > 0.5) return Math.round(performance.now() - since);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`no CHECK hit within ${GIVE_UP_MS / 1000} s`);
}

function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

interface FuzzydStart {
  firstHitMs: number;
  rssAtFirstHitMb: number;
  indexCompleteMs: number;
  rssAtCompleteMb: number;
  peakRssMb: number;
  /** What fuzzyd said of the snapshot: "used", or why it was not. */
  snapshot: string;
}

async function fuzzydStart(dbPath: string): Promise<FuzzydStart> {
  const since = performance.now();
  const fuzzyd = await startBenchFuzzyd({ dbPath, durability: 'full' });
  try {
    const firstHitMs = await firstHit(fuzzyd.port, since);
    const rssAtFirstHitMb = memoryMb(fuzzyd.pid, 'VmRSS');
    const { ms: indexCompleteMs, snapshot } = await fuzzyd.indexed;
    return { firstHitMs, rssAtFirstHitMb, indexCompleteMs, rssAtCompleteMb: memoryMb(fuzzyd.pid, 'VmRSS'), peakRssMb: memoryMb(fuzzyd.pid, 'VmHWM'), snapshot };
  } finally {
    // A clean stop: this one leaves the snapshot the next start maps in.
    await fuzzyd.stop(60_000);
  }
}

async function rspamdStart(dbPath: string): Promise<{ firstHitMs: number; rssAtFirstHitMb: number }> {
  const since = performance.now();
  const rspamd = await startBenchRspamd({ dbPath, sync: '60s' });
  try {
    const firstHitMs = await firstHit(rspamd.port, since);
    // The worker that answered is one process of the group; the group's largest RSS is that worker's.
    const rssAtFirstHitMb = Math.max(...rspamd.pids().map((pid) => memoryMb(pid, 'VmRSS')).filter(Number.isFinite));
    return { firstHitMs, rssAtFirstHitMb };
  } finally {
    await rspamd.kill();
  }
}

const EXPORT_CHECK_RATE = 20_000;
const EXPORT_TOKEN = 'fzd_bench_export_token_0123456789abcdef';

interface CheckFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  lost: number;
}

/** CHECK plain at 20k/s (½ stored rows) alone, then while GET /api/v1/hashes/export streams the whole store. */
async function checkDuringExport(dbPath: string, hashes: number): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'fuzzyd-bench-export-'));
  try {
    const sample = Math.min(hashes, 100_000);
    const digests = Buffer.concat(Array.from({ length: sample }, (_, row) => digestOf(row)));
    const data: Dataset = { count: sample, digests, shingles: Buffer.alloc(sample * SHINGLE_COUNT * 8) };
    const requests = join(work, 'check-plain.req');
    writeCheckPlainRequests(requests, data, 100_000, SEED + 1);
    const loadgen = prepareLoadgen(work);
    process.env.FUZZYD_ADMIN_TOKEN = EXPORT_TOKEN;
    const fuzzyd = await startBenchFuzzyd({ dbPath, durability: 'full' });
    delete process.env.FUZZYD_ADMIN_TOKEN;
    try {
      const { snapshot } = await fuzzyd.indexed;
      if (snapshot !== 'used') console.log(`export run: the snapshot was not used (${snapshot})`);
      // After a start, quick_check reads the whole file on a thread of its own: measure once fuzzyd is quiet.
      await waitForIdleProcesses([fuzzyd.pid]);
      const run = async (): Promise<CheckFigures> => {
        const r = await loadgen.run({ port: fuzzyd.port, requests, mode: 'open', rate: EXPORT_CHECK_RATE, durationS: 8, warmupS: 1, timeoutMs: 1000, sockets: 16 });
        const ms = (us: number): number => Math.round(us / 10) / 100;
        return { rps: Math.round(r.rps), p50Ms: ms(r.latencyUs.p50), p99Ms: ms(r.latencyUs.p99), p999Ms: ms(r.latencyUs.p999), lost: r.lost };
      };
      // The first seconds after a start are slower (code still being optimised on the UDP threads): one run thrown
      // away, so "alone" and "during the export" meet the same warm server.
      await run();
      const alone = await run();
      let exported = 0;
      let exportMs = 0;
      let stop = false;
      const exporting = (async () => {
        const started = performance.now();
        // Again and again until the CHECK run ends: the CHECKs must meet an export all the time.
        for (;;) {
          const res = await fetch(`http://127.0.0.1:${fuzzyd.httpPort}/api/v1/hashes/export`, { headers: { authorization: `Bearer ${EXPORT_TOKEN}` } });
          if (!res.ok || !res.body) throw new Error(`export answered ${res.status}`);
          for await (const chunk of res.body) exported += (chunk as Uint8Array).byteLength;
          exportMs = performance.now() - started;
          if (stop) return;
        }
      })();
      const during = await run();
      stop = true;
      await exporting;
      return {
        hashes,
        checkRate: EXPORT_CHECK_RATE,
        alone,
        duringExport: during,
        exportedMb: Math.round(exported / 1048576),
        exportMbPerS: Math.round(exported / 1048576 / (exportMs / 1000)),
      };
    } finally {
      await fuzzyd.stop(60_000);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function benchStartup(): Promise<Record<string, unknown>> {
  mkdirSync(DIR, { recursive: true, mode: 0o755 });
  const results: Record<string, unknown>[] = [];
  for (const hashes of SIZES) {
    const dbPath = join(DIR, `startup-${hashes}.db`);
    // Rows carry their write time and fuzzyd expires hashes after 2 days by default: rows older than a day are
    // written again (the file's mtime says nothing: every server that opens it touches it).
    if (!existsSync(dbPath) || rowsAgeSeconds(dbPath) > 86_400) {
      const t = performance.now();
      generate(dbPath, hashes);
      console.log(`generated ${dbPath} in ${Math.round((performance.now() - t) / 1000)} s`);
    }
    for (const leftover of [`${dbPath}.fuzzyd-index`, `${dbPath}-wal`, `${dbPath}-shm`]) rmSync(leftover, { force: true });
    const rebuild = await fuzzydStart(dbPath);
    const snapshot = await fuzzydStart(dbPath);
    // rspamd last: its worker may write the file, which makes fuzzyd's snapshot stale (as it should).
    const rspamd = await rspamdStart(dbPath);
    const row = {
      hashes,
      fileMb: Math.round(statSync(dbPath).size / 1048576),
      fuzzydWithoutSnapshot: rebuild,
      fuzzydFromSnapshot: { firstHitMs: snapshot.firstHitMs, rssAtFirstHitMb: snapshot.rssAtFirstHitMb, snapshot: snapshot.snapshot },
      rspamd34: rspamd,
    };
    console.log(JSON.stringify(row));
    results.push(row);
  }
  const largest = Math.max(...SIZES);
  const exportRun = await checkDuringExport(join(DIR, `startup-${largest}.db`), largest);
  console.log(JSON.stringify(exportRun));
  return { markdown: `${startupMarkdown(results as unknown as StartupRow[])}\n\n${exportMarkdown(exportRun)}`, sizes: results, export: exportRun };
}

function exportMarkdown(r: Record<string, unknown>): string {
  const row = (name: string, c: CheckFigures): string => `| ${name} | ${c.rps.toLocaleString('en')} | ${c.p50Ms} / ${c.p99Ms} / ${c.p999Ms} ms | ${c.lost} |`;
  return [
    `CHECK plain at ${(r.checkRate as number).toLocaleString('en')}/s offered (open loop, 16 sockets, fuzzyd's default UDP threads) on the ` +
      `${(r.hashes as number).toLocaleString('en')}-hash file, alone and while \`GET /api/v1/hashes/export\` streams the whole store ` +
      `again and again (${r.exportedMb as number} MB exported meanwhile, ${r.exportMbPerS as number} MB/s):`,
    '',
    '| CHECK plain | req/s | p50 / p99 / p99.9 | lost |',
    '| --- | --- | --- | --- |',
    row('alone', r.alone as CheckFigures),
    row('during the export', r.duringExport as CheckFigures),
  ].join('\n');
}

interface StartupRow {
  hashes: number;
  fileMb: number;
  fuzzydWithoutSnapshot: FuzzydStart;
  fuzzydFromSnapshot: { firstHitMs: number; rssAtFirstHitMb: number; snapshot: string };
  rspamd34: { firstHitMs: number; rssAtFirstHitMb: number };
}

function startupMarkdown(rows: StartupRow[]): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    'Time from spawn to the first CHECK answered with a hit (a near-duplicate of a stored shingled hash), and RSS then; ' +
      'half of the hashes have 32 shingles. Without a snapshot fuzzyd serves from the tables while it builds its index.',
    '',
    '| hashes (file) | fuzzyd, no snapshot: first hit | index complete (peak RSS) | fuzzyd, from its snapshot | rspamd 3.4 |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const w = r.fuzzydWithoutSnapshot;
    lines.push(
      `| ${r.hashes.toLocaleString('en')} (${r.fileMb} MB) | ${s(w.firstHitMs)}, ${w.rssAtFirstHitMb} MB | ${s(w.indexCompleteMs)} ` +
        `(${w.peakRssMb} MB) | ${s(r.fuzzydFromSnapshot.firstHitMs)}, ${r.fuzzydFromSnapshot.rssAtFirstHitMb} MB` +
        `${r.fuzzydFromSnapshot.snapshot === 'used' ? '' : ` (snapshot not used: ${r.fuzzydFromSnapshot.snapshot})`} | ` +
        `${s(r.rspamd34.firstHitMs)}, ${r.rspamd34.rssAtFirstHitMb} MB |`,
    );
  }
  return lines.join('\n');
}
